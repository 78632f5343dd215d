import { describe, expect, it } from 'vitest';
import { planSchemaChanges } from './plan.ts';
import { makeCollection as col, makeField as field } from './testing.ts';

const describeSteps = (applied: Parameters<typeof planSchemaChanges>[0], desired: Parameters<typeof planSchemaChanges>[1]) =>
  planSchemaChanges(applied, desired).map((s) => `${s.lossy ? 'LOSSY ' : ''}${s.description}`);

const posts = col('posts', [field('title', 'text'), field('views', 'number')], {
  indexes: ['CREATE INDEX `idx_title` ON `posts` (`title`)'],
});

describe('planSchemaChanges', () => {
  it('creates tables (id first, TEXT PRIMARY KEY) and their indexes on an empty database', () => {
    const steps = planSchemaChanges([], [posts]);
    expect(steps.map((s) => s.description)).toEqual([
      'create table "posts" (id, title, views)',
      'create index "idx_title" on "posts"',
    ]);
    expect(steps[0]).toMatchObject({
      kind: 'createTable',
      columns: [
        { name: 'id', spec: { type: 'text', primaryKey: true, notNull: true } },
        { name: 'title', spec: { type: 'text', notNull: true, defaultValue: '' } },
        { name: 'views', spec: { type: 'numeric', notNull: true, defaultValue: 0 } },
      ],
    });
  });

  it('plans nothing when nothing changed (rules do not matter to the tables)', () => {
    expect(planSchemaChanges([posts], [{ ...posts, listRule: '' }])).toEqual([]);
  });

  it('adds columns, renames declared with renamedFrom or kept ids, and re-creates changed indexes', () => {
    const next = col('posts', [field('headline', 'text', { id: 'text_title' }), field('views', 'number'), field('tags', 'select', { maxSelect: 3, values: ['a'] })], {
      indexes: ['CREATE INDEX `idx_title` ON `posts` (`headline`)', 'CREATE UNIQUE INDEX `idx_views` ON `posts` (`views`)'],
    });
    expect(describeSteps([posts], [next])).toEqual([
      'drop index "idx_title"',
      'rename column "posts"."title" to "headline"',
      'add column "posts"."tags" (json)',
      'create index "idx_title" on "posts"',
      'create unique index "idx_views" on "posts"',
    ]);
    const byRenamedFrom = col('posts', [field('headline', 'text', { renamedFrom: 'title' }), field('views', 'number')]);
    expect(describeSteps([posts], [byRenamedFrom])).toEqual([
      'drop index "idx_title"',
      'rename column "posts"."title" to "headline"',
    ]);
  });

  it('renames a collection whose id is kept', () => {
    const articles = { ...posts, name: 'articles', indexes: [] };
    expect(describeSteps([posts], [articles])).toEqual(['drop index "idx_title"', 'rename table "posts" to "articles"']);
  });

  it('marks the steps that lose data', () => {
    const users = col('users', [field('name', 'text')]);
    const next = col('posts', [field('title', 'json'), field('extra', 'bool')]);
    expect(describeSteps([posts, users], [next])).toEqual([
      'drop index "idx_title"',
      'add column "posts"."extra" (boolean)',
      'LOSSY change column "posts"."title" from text to json (rebuilds the table; values may not convert)',
      'LOSSY drop column "posts"."views" and its values',
      'LOSSY drop table "users" and all its rows',
    ]);
  });

  it('skips view collections on both sides', () => {
    const view = col('stats', [field('total', 'number')], { type: 'view', viewQuery: 'SELECT 1' });
    expect(planSchemaChanges([], [view])).toEqual([]);
    expect(planSchemaChanges([view], [])).toEqual([]);
  });

  it('refuses reserved names, duplicate index names and indexes on another table', () => {
    expect(() => planSchemaChanges([], [col('_galley_params', [])])).toThrow(/reserved/);
    expect(() => planSchemaChanges([], [col('sqlite_x', [])])).toThrow(/reserved/);
    const a = col('a', [field('x', 'text')], { indexes: ['CREATE INDEX dup ON a (x)'] });
    const b = col('b', [field('x', 'text')], { indexes: ['CREATE INDEX dup ON b (x)'] });
    expect(() => planSchemaChanges([], [a, b])).toThrow(/index "dup" is declared by "a" and "b"/);
    expect(() => planSchemaChanges([], [col('a', [], { indexes: ['CREATE INDEX i ON b (x)'] })])).toThrow(/belongs to collection "a"/);
  });
});
