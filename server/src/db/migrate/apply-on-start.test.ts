import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { GalleyError } from '../../errors.ts';
import { buildSchema, type CollectionModel } from '../../schema/model.ts';
import type { OpenedDatabase } from '../open.ts';
import { ensureParam, getParam, setParam } from '../params.ts';
import { applySchemaOnStart, readAppliedCollections } from './apply-on-start.ts';
import { hashCollections, listMigrations, readAppliedSchema } from './history.ts';
import { makeCollection as col, makeField as field, useFreshDatabase } from './testing.ts';

let db: OpenedDatabase;
useFreshDatabase((opened) => (db = opened));

const apply = (collections: CollectionModel[]) => applySchemaOnStart(db, buildSchema(collections));

async function columnsOf(table: string): Promise<Array<{ name: string; type: string; notnull: number; dflt_value: unknown; pk: number }>> {
  const { rows } = await sql<any>`SELECT * FROM pragma_table_info(${table})`.execute(db.read);
  return rows.map((r: any) => ({ name: r.name, type: r.type, notnull: r.notnull, dflt_value: r.dflt_value, pk: r.pk }));
}
async function indexNames(table: string): Promise<string[]> {
  const rows = await db.read
    .selectFrom('sqlite_master')
    .select('name')
    .where('type', '=', 'index')
    .where('tbl_name', '=', table)
    .where('sql', 'is not', null)
    .orderBy('name')
    .execute();
  return rows.map((r) => r.name as string);
}

const v1 = col('posts', [field('title', 'text'), field('views', 'number'), field('draft', 'bool'), field('meta', 'json')]);
const v2 = { ...v1, fields: [...v1.fields, field('tags', 'select', { maxSelect: 5, values: ['a', 'b'] })] };
const v3 = { ...v2, indexes: ['CREATE UNIQUE INDEX `idx_posts_title` ON `posts` (`title`) WHERE `title` != \'\''] };

describe('applySchemaOnStart', () => {
  it('creates tables with PocketBase-like column types; the id is TEXT PRIMARY KEY NOT NULL', async () => {
    expect(await apply([v1])).toMatchObject({ applied: ['create table "posts" (id, title, views, draft, meta)'] });
    expect(await columnsOf('posts')).toEqual([
      { name: 'id', type: 'TEXT', notnull: 1, dflt_value: null, pk: 1 },
      { name: 'title', type: 'TEXT', notnull: 1, dflt_value: "''", pk: 0 },
      { name: 'views', type: 'NUMERIC', notnull: 1, dflt_value: '0', pk: 0 },
      { name: 'draft', type: 'BOOLEAN', notnull: 1, dflt_value: 'false', pk: 0 },
      { name: 'meta', type: 'JSON', notnull: 0, dflt_value: null, pk: 0 },
    ]);
  });

  it('reads no applied collections from a new database', async () => {
    expect(await readAppliedCollections(db)).toEqual([]);
  });

  it('create → add field → add index, each applied once and idempotent, recorded with hash, steps and SQL', async () => {
    await apply([v1]);
    expect((await apply([v1])).applied).toEqual([]);
    await db.writer.run((tx) => tx.db.insertInto('posts').values({ id: 'p1', title: 'Hello' }).execute());

    expect((await apply([v2])).applied).toEqual(['add column "posts"."tags" (json)']);
    expect((await apply([v2])).applied).toEqual([]);
    expect(await db.read.selectFrom('posts').select(['id', 'title', 'tags']).execute()).toEqual([{ id: 'p1', title: 'Hello', tags: '[]' }]);

    expect((await apply([v3])).applied).toEqual(['create unique index "idx_posts_title" on "posts"']);
    expect((await apply([v3])).applied).toEqual([]);
    expect(await indexNames('posts')).toEqual(['idx_posts_title']);

    expect(await readAppliedCollections(db)).toEqual([v3]);
    const applied = await readAppliedSchema(db.read);
    expect(applied?.hash).toBe(hashCollections([v3]));
    expect(applied?.collections).toEqual([v3]);
    const history = await listMigrations(db.read);
    expect(history).toHaveLength(3);
    expect(history.map((h) => h.steps.map((s) => s.kind))).toEqual([['createTable'], ['addColumn'], ['createIndex']]);
    expect(history[2]!.sql).toEqual(['create unique index "idx_posts_title" on "posts" (`title`) where `title` != \'\'']);
    expect(history[0]!.applied).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('enforces a unique index as validation_not_unique on the field', async () => {
    await apply([v3]);
    await db.writer.run((tx) => tx.db.insertInto('posts').values({ id: 'a', title: 'same' }).execute());
    const err = await db.writer.run((tx) => tx.db.insertInto('posts').values({ id: 'b', title: 'same' }).execute()).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid', issues: { title: { code: 'validation_not_unique' } } });
  });

  it('records a rule-only change as a step without SQL', async () => {
    await apply([v1]);
    expect((await apply([{ ...v1, listRule: '' }])).applied).toEqual(['update "posts": listRule']);
    const history = await listMigrations(db.read);
    expect(history).toHaveLength(2);
    expect(history[1]!.steps).toEqual([
      { kind: 'updateCollection', description: 'update "posts": listRule', details: ['listRule: null → ""'], lossy: false, why: '', sql: [] },
    ]);
    expect(history[1]!.sql).toEqual([]);
    expect((await readAppliedSchema(db.read))?.collections[0]?.listRule).toBe('');
  });

  it('refuses a change that loses data, prints the plan with the lossy steps marked, points to galley migrate, and changes nothing', async () => {
    const users = col('users', [field('name', 'text')]);
    await apply([v2, users]);
    await db.writer.run((tx) => tx.db.insertInto('posts').values({ id: 'p1', views: 3 }).execute());
    const shrunk = { ...v2, fields: v2.fields.filter((f) => f.name !== 'views').map((f) => (f.name === 'meta' ? { ...f, type: 'text' } : f)) };
    const withNew = col('extra', [field('x', 'text')]);
    const err = await apply([shrunk, withNew]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GalleyError);
    expect((err as GalleyError).kind).toBe('invalid');
    expect((err as GalleyError).message).toBe(
      [
        'The schema change would lose data (2 of 3 steps), so nothing was applied. The plan:',
        '  1. [loses data] drop table "users" and all its rows',
        '       loses: deletes the collection "users" with every record',
        '  2. create table "extra" (id, x)',
        '  3. [loses data] rebuild table "posts" (copies every row into the new shape)',
        '       - "meta" changes from json to text: the values cannot convert; every row gets ""',
        '       - "views" is dropped with its values',
        '       loses: "meta" cannot convert from json to text; deletes every value of "views"',
        'Review it with `galley migrate plan`, then apply it with `galley migrate apply --allow-data-loss`.',
      ].join('\n'),
    );
    // Nothing changed: the new table was not created and the history has only the first apply.
    expect(await db.read.selectFrom('sqlite_master').select('name').where('name', '=', 'extra').execute()).toEqual([]);
    expect(await listMigrations(db.read)).toHaveLength(1);
    expect(await db.read.selectFrom('posts').select('views').execute()).toEqual([{ views: 3 }]);
  });

  it('renames a field declared with renamedFrom and keeps its values', async () => {
    await apply([v1]);
    await db.writer.run((tx) => tx.db.insertInto('posts').values({ id: 'p1', title: 'Kept' }).execute());
    const renamed = { ...v1, fields: v1.fields.map((f) => (f.name === 'title' ? field('headline', 'text', { renamedFrom: 'title' }) : f)) };
    expect((await apply([renamed])).applied).toEqual(['rename column "posts"."title" to "headline"']);
    expect(await db.read.selectFrom('posts').select('headline').execute()).toEqual([{ headline: 'Kept' }]);
  });

  it('drops an index the schema no longer has', async () => {
    await apply([v3]);
    expect((await apply([v2])).applied).toEqual(['drop index "idx_posts_title"']);
    expect(await indexNames('posts')).toEqual([]);
  });

  it('creates view collections after the tables they read and records them as applied', async () => {
    const view = col('post_stats', [field('total', 'number')], { type: 'view', viewQuery: 'SELECT id, 1 AS total FROM posts' });
    expect((await apply([v1, view])).applied).toEqual(['create table "posts" (id, title, views, draft, meta)', 'create view "post_stats" (id, total)']);
    expect((await readAppliedSchema(db.read))?.collections.map((c) => c.name)).toEqual(['posts', 'post_stats']);
  });

  it('refuses an index that is not a single CREATE INDEX on the collection’s table, applying nothing', async () => {
    const evil = { ...v1, indexes: ['CREATE INDEX i ON posts (title); DROP TABLE _galley_params'] };
    await expect(apply([evil])).rejects.toThrow(/only one statement/);
    expect(await db.read.selectFrom('sqlite_master').select('name').where('name', '=', 'posts').execute()).toEqual([]);
  });
});

describe('params', () => {
  it('stores, replaces and reads string values; ensureParam creates once', async () => {
    expect(await getParam(db, 'secret.x')).toBeNull();
    await db.writer.run((tx) => setParam(tx, 'secret.x', 'one'));
    await db.writer.run((tx) => setParam(tx, 'secret.x', 'two'));
    expect(await getParam(db, 'secret.x')).toBe('two');
    let made = 0;
    const values = await Promise.all(Array.from({ length: 5 }, () => ensureParam(db, 'secret.y', () => `v${++made}`)));
    expect(new Set(values)).toEqual(new Set(['v1']));
    expect(made).toBe(1);
  });
});
