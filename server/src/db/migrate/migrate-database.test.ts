// Every step kind applied to a real SQLite file holding data: what the data becomes, what is refused and why.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { CollectionModel } from '../../schema/model.ts';
import type { OpenedDatabase } from '../open.ts';
import { checkPlan } from './check-plan.ts';
import { listMigrations, readAppliedSchema } from './history.ts';
import { migrateDatabase, type MigrateOptions } from './migrate-database.ts';
import { planMigration } from './plan.ts';
import { makeCollection as col, makeField as field, useFreshDatabase } from './testing.ts';

let db: OpenedDatabase;
useFreshDatabase((opened) => (db = opened));

const migrate = (collections: CollectionModel[], opts: MigrateOptions = {}) => migrateDatabase(db, collections, opts);
const insert = (table: string, rows: Array<Record<string, unknown>>) => db.writer.run((tx) => tx.db.insertInto(table).values(rows).execute());
const rowsOf = (table: string, columns = '*') => sql<Record<string, unknown>>`SELECT ${sql.raw(columns)} FROM ${sql.table(table)} ORDER BY id`.execute(db.read).then((r) => r.rows);
const tableNames = async () => (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_galley\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name`.execute(db.read)).rows.map((r) => r.name);
const indexNames = async (table: string) => (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table} AND sql IS NOT NULL ORDER BY name`.execute(db.read)).rows.map((r) => r.name);
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: Error) => e.message);
const withFields = (c: CollectionModel, ...fields: ReturnType<typeof field>[]) => ({ ...c, fields: [c.fields[0]!, ...fields] });

const users = col('users', [field('name', 'text')]);
const tags = (maxSelect: number) => field('tags', 'select', { maxSelect, values: ['a', 'b', 'c', 'd'] });

describe('migrateDatabase: tables', () => {
  it('creates, renames (rows kept) and drops tables; a drop is refused without allowDataLoss and changes nothing', async () => {
    await migrate([users]);
    await insert('users', [{ id: 'u1', name: 'Ann' }]);
    const people = { ...users, name: 'people' };
    expect((await migrate([people])).steps.map((s) => s.description)).toEqual(['rename table "users" to "people"']);
    expect(await rowsOf('people')).toEqual([{ id: 'u1', name: 'Ann' }]);

    const message = await failure(migrate([col('other', [])]));
    expect(message).toContain('[loses data] drop table "people" and all its rows');
    expect(await tableNames()).toEqual(['people']);
    expect(await listMigrations(db.read)).toHaveLength(2);

    await migrate([col('other', [])], { allowDataLoss: true });
    expect(await tableNames()).toEqual(['other']);
  });
});

describe('migrateDatabase: columns', () => {
  it('adds a column with its default in existing rows, renames (also a swap) and drops with allowDataLoss', async () => {
    const v1 = withFields(users, field('a', 'text'), field('b', 'text'), field('gone', 'number'));
    await migrate([v1]);
    await insert('users', [{ id: 'u1', a: 'A', b: 'B', gone: 5 }]);
    const v2 = withFields(users, field('b', 'text', { id: 'x1', renamedFrom: 'a' }), field('a', 'text', { id: 'x2', renamedFrom: 'b' }), field('n', 'number'), field('tags', 'select', { maxSelect: 3, values: ['a'] }));
    const result = await migrate([v2], { allowDataLoss: true });
    expect(result.steps.map((s) => s.kind)).toEqual(['dropColumn', 'renameColumn', 'renameColumn', 'renameColumn', 'renameColumn', 'addColumn', 'addColumn']);
    expect(await rowsOf('users')).toEqual([{ id: 'u1', b: 'A', a: 'B', n: 0, tags: '[]' }]);
  });
});

describe('migrateDatabase: rebuilds convert values', () => {
  const v1 = withFields(users, field('n', 'number'), field('t', 'text'), field('f', 'bool'), tags(1), field('meta', 'json'));
  const rows = [
    { id: 'r1', n: 12.5, t: '42', f: 1, tags: 'b', meta: '{"x":1}' },
    { id: 'r2', n: 0, t: '', f: 0, tags: '', meta: null },
    { id: 'r3', n: 7, t: '-1e3', f: 1, tags: 'a', meta: '[1]' },
  ];

  it('number → text, text → number, bool → number, single → multi in one rebuild; the indexes come back', async () => {
    await migrate([{ ...v1, indexes: ['CREATE INDEX idx_n ON users (n)'] }]);
    await insert('users', rows);
    const v2 = { ...withFields(users, field('n', 'text'), field('t', 'number'), field('f', 'number'), tags(3), field('meta', 'json')), indexes: ['CREATE INDEX idx_n ON users (n)'] };
    const result = await migrate([v2]);
    expect(result.steps.map((s) => `${s.kind}${s.lossy ? ' (lossy)' : ''}`)).toEqual(['dropIndex', 'rebuildTable', 'createIndex']);
    expect(await rowsOf('users', 'id, n, t, f, tags, meta')).toEqual([
      { id: 'r1', n: '12.5', t: 42, f: 1, tags: '["b"]', meta: '{"x":1}' },
      { id: 'r2', n: '0', t: 0, f: 0, tags: '[]', meta: null },
      { id: 'r3', n: '7', t: -1000, f: 1, tags: '["a"]', meta: '[1]' },
    ]);
    expect(await indexNames('users')).toEqual(['idx_n']);
    expect(await tableNames()).toEqual(['users']);
  });

  it('text → number is refused while a value is not a number, naming the records; nothing changes', async () => {
    await migrate([v1]);
    await insert('users', [...rows, { ...rows[1], id: 'r4', t: 'twelve' }, { ...rows[1], id: 'r5', t: '1,5' }]);
    const message = await failure(migrate([withFields(users, field('n', 'number'), field('t', 'number'), field('f', 'bool'), tags(1), field('meta', 'json'))], { allowDataLoss: true }));
    expect(message).toContain('refused: records "r4", "r5" hold text in "t" that is not a number (such as "twelve")');
    expect(await rowsOf('users', 'id, t')).toEqual([{ id: 'r1', t: '42' }, { id: 'r2', t: '' }, { id: 'r3', t: '-1e3' }, { id: 'r4', t: 'twelve' }, { id: 'r5', t: '1,5' }]);
    expect(await listMigrations(db.read)).toHaveLength(1);
  });

  it('number → bool and multi → single lose data only when the data says so', async () => {
    const v = withFields(users, field('n', 'number'), tags(3));
    await migrate([v]);
    await insert('users', [{ id: 'a', n: 1, tags: '["a"]' }, { id: 'b', n: 0, tags: '[]' }]);
    const narrowed = withFields(users, field('n', 'bool'), tags(1));
    expect((await migrate([narrowed])).steps.map((s) => s.lossy)).toEqual([false]);
    expect(await rowsOf('users', 'id, n, tags')).toEqual([{ id: 'a', n: 1, tags: 'a' }, { id: 'b', n: 0, tags: '' }]);

    await migrate([v]);
    await insert('users', [{ id: 'c', n: 5, tags: '["b","c","d"]' }]);
    const message = await failure(migrate([narrowed]));
    expect(message).toContain('[loses data] rebuild table "users"');
    expect(message).toContain('loses: record "c" holds numbers other than 0 and 1 in "n"; record "c" holds more than one item in "tags"');
    await migrate([narrowed], { allowDataLoss: true });
    expect(await rowsOf('users', 'id, n, tags')).toEqual([{ id: 'a', n: 1, tags: 'a' }, { id: 'b', n: 0, tags: '' }, { id: 'c', n: 1, tags: 'd' }]);
  });

  it('json → text cannot convert: lossy whatever the data; with allowDataLoss every row gets the default', async () => {
    await migrate([v1]);
    await insert('users', rows);
    const v2 = withFields(users, field('n', 'number'), field('t', 'text'), field('f', 'bool'), tags(1), field('meta', 'text'));
    expect(await failure(migrate([v2]))).toContain('loses: "meta" cannot convert from json to text');
    await migrate([v2], { allowDataLoss: true });
    expect((await rowsOf('users', 'meta')).map((r) => r['meta'])).toEqual(['', '', '']);
  });
});

describe('migrateDatabase: in-place conversions', () => {
  it('shrinking maxSelect keeps the last items, lossy only when a list is longer', async () => {
    await migrate([withFields(users, tags(4))]);
    await insert('users', [{ id: 'a', tags: '["a","b"]' }]);
    await migrate([withFields(users, tags(3))]); // nothing exceeds: safe
    await insert('users', [{ id: 'b', tags: '["a","b","c"]' }]);
    const message = await failure(migrate([withFields(users, tags(2))]));
    expect(message).toContain('loses: record "b" holds more than 2 items in "tags"');
    await migrate([withFields(users, tags(2))], { allowDataLoss: true });
    expect(await rowsOf('users', 'id, tags')).toEqual([{ id: 'a', tags: '["a","b"]' }, { id: 'b', tags: '["b","c"]' }]);
  });

  it('a relation pointed at another collection keeps only ids of that collection, so nothing dangles', async () => {
    const editors = col('editors', [field('name', 'text')]);
    const notes = (collectionId: string, maxSelect: number) => col('notes', [field('refs', 'relation', { collectionId, maxSelect })]);
    await migrate([users, editors, notes('pbc_users', 3)]);
    await insert('users', [{ id: 'u1' }, { id: 'shared' }]);
    await insert('editors', [{ id: 'shared' }]);
    await insert('notes', [{ id: 'n1', refs: '["u1","shared"]' }, { id: 'n2', refs: '["shared"]' }]);
    const plan = await checkPlan(db.read, planMigration((await readAppliedSchema(db.read))!.collections, [users, editors, notes('pbc_editors', 3)]));
    expect(plan.steps.map((s) => [s.description, s.lossy, s.why])).toEqual([
      ['update the values of "notes"."refs"', true, 'record "n1" holds ids in "refs" that are not records of "editors"'],
    ]);
    await migrate([users, editors, notes('pbc_editors', 3)], { allowDataLoss: true });
    expect(await rowsOf('notes', 'id, refs')).toEqual([{ id: 'n1', refs: '["shared"]' }, { id: 'n2', refs: '["shared"]' }]);
  });

  it('rebuilding a relation target keeps its ids, so relations into it still resolve', async () => {
    const notes = col('notes', [field('owner', 'relation', { collectionId: 'pbc_users', maxSelect: 1 })]);
    await migrate([withFields(users, field('n', 'number')), notes]);
    await insert('users', [{ id: 'u1', n: 3 }]);
    await insert('notes', [{ id: 'n1', owner: 'u1' }]);
    await migrate([withFields(users, field('n', 'text')), notes]);
    const joined = await sql<{ id: string; n: string }>`SELECT notes.id, users.n FROM notes JOIN users ON users.id = notes.owner`.execute(db.read);
    expect(joined.rows).toEqual([{ id: 'n1', n: '3' }]);
  });
});

describe('migrateDatabase: indexes and recorded-only steps', () => {
  it('a unique index the data breaks is refused with the record ids; a partial one that excludes them applies', async () => {
    await migrate([users]);
    await insert('users', [{ id: 'a', name: 'same' }, { id: 'b', name: 'same' }, { id: 'c', name: '' }, { id: 'd', name: '' }]);
    const message = await failure(migrate([{ ...users, indexes: ['CREATE UNIQUE INDEX u_name ON users (name)'] }], { allowDataLoss: true }));
    expect(message).toContain('refused: records "a", "b", "c", "d" share values that the unique index "u_name" forbids');
    expect(await indexNames('users')).toEqual([]);
    await db.writer.run((tx) => tx.db.updateTable('users').set({ name: 'other' }).where('id', '=', 'b').execute());
    await migrate([{ ...users, indexes: ['CREATE UNIQUE INDEX u_name ON users (name) WHERE name != \'\''] }]);
    expect(await indexNames('users')).toEqual(['u_name']);
    await migrate([users]);
    expect(await indexNames('users')).toEqual([]);
  });

  it('a unique index over a converted column is checked while applying, after the conversion', async () => {
    await migrate([withFields(users, field('n', 'number'))]);
    await insert('users', [{ id: 'a', n: 1 }, { id: 'b', n: 1.0 }]);
    const message = await failure(migrate([{ ...withFields(users, field('n', 'text')), indexes: ['CREATE UNIQUE INDEX u_n ON users (n)'] }]));
    expect(message).toContain('refused: records "a", "b" share values that the unique index "u_n" forbids');
    expect(await rowsOf('users', 'id, n')).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: 1 }]);
  });

  it('records rule and option changes without SQL, and every step with its SQL in the history', async () => {
    await migrate([withFields(users, field('n', 'number'), field('m', 'text'))]);
    const next = { ...withFields(users, field('n', 'text', { id: 'number_n', max: 9 }), field('m', 'text', { max: 5 })), listRule: '' };
    await migrate([next], { now: new Date('2030-01-02T03:04:05.678Z') });
    const [, second] = await listMigrations(db.read);
    expect(second!.applied).toBe('2030-01-02 03:04:05.678Z');
    expect(second!.steps.map((s) => [s.kind, s.sql?.length])).toEqual([['rebuildTable', 4], ['updateCollection', 0], ['updateField', 0]]);
    // the options of "n" follow its new type; "m" only changed an option
    expect(second!.steps[2]!).toMatchObject({ description: 'update field "users"."m": max', details: ['max: unset → 5'] });
    expect(second!.sql).toEqual(second!.steps.flatMap((s) => s.sql));
    expect((await migrate([next])).steps).toEqual([]);
  });
});
