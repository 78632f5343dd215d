// The planner as a table: (applied, desired) → the exact plan, in plain words, with marks and data checks.
import { describe, expect, it } from 'vitest';
import type { CollectionModel } from '../../schema/model.ts';
import { hashCollections } from './history.ts';
import { planMigration } from './plan.ts';
import { makeCollection as col, makeField as field } from './testing.ts';

/** One line per step (`LOSSY ` when lossy always), `  - ` details, `  ? ` data checks (`now` = asked while applying). */
function describePlan(applied: CollectionModel[], desired: CollectionModel[]): string[] {
  return planMigration(applied, desired).steps.flatMap((s) => [
    `${s.lossy ? 'LOSSY ' : ''}${s.kind}: ${s.description}`,
    ...s.details.map((d) => `  - ${d}`),
    ...s.checks.map((c) => `  ? ${c.kind}${'max' in c ? ` ${c.max}` : ''} ${c.before ? 'before' : 'now'}`),
  ]);
}

const users = col('users', [field('name', 'text')]);
const posts = col('posts', [field('title', 'text'), field('views', 'number')], { indexes: ['CREATE INDEX `idx_title` ON `posts` (`title`)'] });
const tags = (maxSelect: number) => field('tags', 'select', { maxSelect, values: ['a', 'b', 'c', 'd'] });
const author = (collectionId: string, maxSelect = 1) => field('author', 'relation', { collectionId, maxSelect });
const notes = (...fields: ReturnType<typeof field>[]) => col('notes', fields);
const withFields = (c: CollectionModel, ...fields: ReturnType<typeof field>[]) => ({ ...c, fields: [c.fields[0]!, ...fields] });

const CASES: Array<[name: string, applied: CollectionModel[], desired: CollectionModel[], plan: string[]]> = [
  ['an empty database gets tables, then indexes', [], [posts], ['createTable: create table "posts" (id, title, views)', 'createIndex: create index "idx_title" on "posts"']],
  ['nothing changed: no steps', [posts, users], [users, posts], []],
  ['a rule change is a step without SQL', [posts], [{ ...posts, listRule: '', deleteRule: '@request.auth.id != ""' }], [
    'updateCollection: update "posts": deleteRule, listRule',
    '  - deleteRule: null → "@request.auth.id != \\"\\""',
    '  - listRule: null → ""',
  ]],
  ['a renamed collection keeps its id: renamed, its index follows the new name', [posts], [{ ...posts, name: 'articles', indexes: ['CREATE INDEX `idx_title` ON `articles` (`title`)'] }], [
    'dropIndex: drop index "idx_title"',
    'renameTable: rename table "posts" to "articles"',
    'createIndex: create index "idx_title" on "articles"',
  ]],
  ['a rename declared with renamedFrom under a new id', [users], [{ ...users, id: 'pbc_people', name: 'people', renamedFrom: 'users' }], ['renameTable: rename table "users" to "people"']],
  ['a new name with a new id and no renamedFrom is never guessed to be a rename', [users], [{ ...users, id: 'pbc_people', name: 'people' }], [
    'LOSSY dropTable: drop table "users" and all its rows',
    'createTable: create table "people" (id, name)',
  ]],
  ['two collections swapping names go through a temporary name', [users, col('admins', [field('name', 'text')])], [
    { ...users, id: 'x1', name: 'admins', renamedFrom: 'users' },
    col('users', [field('name', 'text')], { id: 'x2', renamedFrom: 'admins' }),
  ], [
    'renameTable: rename table "users" to "_galley_tmp_0"',
    'renameTable: rename table "admins" to "_galley_tmp_1"',
    'renameTable: rename table "_galley_tmp_0" to "admins"',
    'renameTable: rename table "_galley_tmp_1" to "users"',
  ]],
  ['fields: added, renamed by renamedFrom, dropped; the index on a renamed column is recreated', [posts], [
    { ...withFields(posts, field('headline', 'text', { renamedFrom: 'title' }), field('extra', 'bool')), indexes: ['CREATE INDEX `idx_title` ON `posts` (`headline`)'] },
  ], [
    'dropIndex: drop index "idx_title"',
    'LOSSY dropColumn: drop column "posts"."views" and its values',
    'renameColumn: rename column "posts"."title" to "headline"',
    'addColumn: add column "posts"."extra" (boolean)',
    'createIndex: create index "idx_title" on "posts"',
  ]],
  ['a field renamed into a name another field leaves: renamedFrom wins over the same name', [withFields(users, field('a', 'text'), field('b', 'text'))], [withFields(users, field('b', 'text', { id: 'new_b', renamedFrom: 'a' }), field('c', 'text', { renamedFrom: 'b' }))], [
    'renameColumn: rename column "users"."a" to "_galley_tmp_0"',
    'renameColumn: rename column "users"."b" to "c"',
    'renameColumn: rename column "users"."_galley_tmp_0" to "b"',
  ]],
  ['number → text and bool → number rebuild the table without loss', [withFields(users, field('n', 'number'), field('f', 'bool'))], [withFields(users, field('n', 'text'), field('f', 'number'))], [
    'rebuildTable: rebuild table "users" (copies every row into the new shape)',
    '  - "n" changes from number to text: each number becomes its text',
    '  - "f" changes from bool to number: true becomes 1, false becomes 0',
  ]],
  ['text → number is checked for values that are not numbers; number → bool for values other than 0 and 1', [withFields(users, field('n', 'text'), field('f', 'number'))], [withFields(users, field('n', 'number'), field('f', 'bool'))], [
    'rebuildTable: rebuild table "users" (copies every row into the new shape)',
    '  - "n" changes from text to number: each text becomes its number (\'\' becomes 0); every value must be a number',
    '  - "f" changes from number to bool: 0 becomes false, any other number true',
    '  ? notNumber before',
    '  ? notZeroOrOne before',
  ]],
  ['single → multi wraps each value; multi → single keeps the last item, checked for longer lists', [withFields(users, tags(1), author('pbc_users', 3))], [withFields(users, tags(3), author('pbc_users', 1))], [
    'rebuildTable: rebuild table "users" (copies every row into the new shape)',
    '  - "tags" changes from select (one value) to select (up to 3): each value becomes a one-item list',
    '  - "author" changes from relation (up to 3) to relation (one value): each list keeps only its last item',
    '  ? listTooLong 1 before',
  ]],
  ['shrinking maxSelect trims in place, checked; growing it is only recorded', [withFields(users, tags(4), author('pbc_users', 2))], [withFields(users, tags(2), author('pbc_users', 5))], [
    'convertColumn: update the values of "users"."tags"',
    '  - "tags" changes from select (up to 4) to select (up to 2): each list keeps only its last 2 items',
    '  ? listTooLong 2 before',
    'updateField: update field "users"."author": maxSelect',
    '  - maxSelect: 2 → 5',
  ]],
  ['json → text cannot convert: the rebuild is lossy; a list → json keeps its values', [withFields(users, field('meta', 'json'), tags(3))], [withFields(users, field('meta', 'text'), field('tags', 'json'))], [
    'LOSSY rebuildTable: rebuild table "users" (copies every row into the new shape)',
    '  - "meta" changes from json to text: the values cannot convert; every row gets ""',
    '  - "tags" changes from select (up to 3) to json: values are kept as they are',
  ]],
  ['a type change that keeps the column (text → email) is only recorded', [withFields(users, field('contact', 'text'))], [withFields(users, field('contact', 'email', { id: 'text_contact' }))], [
    'updateField: update field "users"."contact": type',
    '  - type: "text" → "email"',
  ]],
  ['a relation pointing at another collection keeps only ids of that collection, checked', [users, notes(author('pbc_users'))], [users, col('editors', []), notes(author('pbc_editors'))], [
    'createTable: create table "editors" (id)',
    'convertColumn: update the values of "notes"."author"',
    '  - "author": ids that are not records of "editors" are removed',
    '  ? danglingIds now',
  ]],
  ['a relation whose collection was renamed (new id, renamedFrom) keeps its values', [users, notes(author('pbc_users'))], [
    { ...users, id: 'pbc_people', name: 'people', renamedFrom: 'users' }, notes(author('pbc_people')),
  ], [
    'renameTable: rename table "users" to "people"',
    'updateField: update field "notes"."author": collectionId',
    '  - collectionId: "pbc_users" → "pbc_people"',
  ]],
  ['a text field turned relation keeps only ids that exist', [users, notes(field('author', 'text'))], [users, notes(author('pbc_users'))], [
    'convertColumn: update the values of "notes"."author"',
    '  - "author" changes from text to relation (one value): values are kept as they are; ids that are not records of "users" are removed',
    '  ? danglingIds before',
  ]],
  ['a unique index on an untouched table is checked before; on a rebuilt table while applying', [withFields(users, field('n', 'number'))], [
    withFields({ ...users, indexes: ['CREATE UNIQUE INDEX u_name ON users (name)', 'CREATE UNIQUE INDEX u_n ON users (n) WHERE n != \'\''] }, field('name', 'text'), field('n', 'text')),
  ], [
    'rebuildTable: rebuild table "users" (copies every row into the new shape)',
    '  - "name" is added (text)',
    '  - "n" changes from number to text: each number becomes its text',
    'createIndex: create unique index "u_name" on "users"',
    '  ? duplicates now',
    'createIndex: create unique index "u_n" on "users"',
    '  ? duplicates now',
  ]],
  ['a unique index on a table whose columns stay as they are is checked before the plan runs', [users], [{ ...users, indexes: ['CREATE UNIQUE INDEX u_name ON users (name)'] }], [
    'createIndex: create unique index "u_name" on "users"',
    '  ? duplicates before',
  ]],
  ['fields listed in another order: recorded', [withFields(users, field('a', 'text'), field('b', 'text'))], [withFields(users, field('b', 'text'), field('a', 'text'))], [
    'updateCollection: update "users": the order of the fields',
    '  - the order of the fields',
  ]],
  ['index statements spelled differently: recorded, not recreated', [posts], [{ ...posts, indexes: ['create index `idx_title` on `posts` (`title`)'] }], [
    'updateCollection: update "posts": the spelling or order of the index statements',
    '  - the spelling or order of the index statements',
  ]],
  ['a view that is gone is dropped first; a new view is created after the tables', [col('v', [], { type: 'view', viewQuery: 'SELECT 1 AS id' })], [col('stats', [], { type: 'view', viewQuery: 'SELECT 1 AS id' })], [
    'dropView: drop view "v"',
    'createView: create view "stats" (id)',
  ]],
];

describe('planMigration', () => {
  it.each(CASES)('%s', (_name, applied, desired, expected) => {
    expect(describePlan(applied, desired)).toEqual(expected);
  });

  it('plans nothing exactly when the recorded hashes agree (collection order does not count, renamedFrom hints are dropped)', () => {
    const desired = [{ ...users, renamedFrom: 'people' }, withFields(posts, field('title', 'text', { renamedFrom: 'x' }), field('views', 'number'))];
    const plan = planMigration([posts, users], desired);
    expect(plan.steps).toEqual([]);
    expect(hashCollections(plan.collections)).toBe(hashCollections([posts, users]));
  });

  it('emits the exact SQL of a rebuild: new table, converting copy, drop, rename', () => {
    const [step] = planMigration([withFields(users, field('n', 'number'), tags(1))], [withFields(users, field('n', 'text'), tags(2))]).steps;
    expect(step!.sql).toEqual([
      'create table "_galley_rebuild_users" ("id" TEXT not null primary key, "n" TEXT default \'\' not null, "tags" JSON default \'[]\' not null)',
      'insert into "_galley_rebuild_users" ("id", "n", "tags") select "users"."id" as "id", coalesce(CAST("users"."n" AS TEXT), \'\') as "n", ' +
        '(CASE WHEN "users"."tags" IS NULL OR "users"."tags" = \'\' THEN \'[]\' ELSE json_array("users"."tags") END) as "tags" from "users"',
      'drop table "users"',
      'alter table "_galley_rebuild_users" rename to "users"',
    ]);
  });

  it('refuses reserved names, duplicate index names and indexes on another table', () => {
    expect(() => planMigration([], [col('_galley_params', [])])).toThrow(/reserved/);
    expect(() => planMigration([], [col('_galley_rebuild_x', [])])).toThrow(/reserved/);
    expect(() => planMigration([], [col('sqlite_x', [])])).toThrow(/reserved/);
    const a = col('a', [field('x', 'text')], { indexes: ['CREATE INDEX dup ON a (x)'] });
    const b = col('b', [field('x', 'text')], { indexes: ['CREATE INDEX dup ON b (x)'] });
    expect(() => planMigration([], [a, b])).toThrow(/index "dup" is declared by "a" and "b"/);
    expect(() => planMigration([], [col('a', [], { indexes: ['CREATE INDEX i ON b (x)'] })])).toThrow(/belongs to collection "a"/);
  });
});
