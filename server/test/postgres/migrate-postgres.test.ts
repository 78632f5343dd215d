// The schema migrations on a real PostgreSQL database (issue 17, step 1): the example schemas from empty, a
// sequence of changes over rows held by both engines (the same columns and values as SQLite after each), the
// refusals, history and status, and two instances applying at once under the advisory lock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { checkPlan } from '../../src/db/migrate/check-plan.ts';
import { listMigrations, readAppliedSchema } from '../../src/db/migrate/history.ts';
import { applySchemaOnStart, readAppliedCollections } from '../../src/db/migrate/apply-on-start.ts';
import { migrateDatabase, type MigrateOptions } from '../../src/db/migrate/migrate-database.ts';
import { planMigration } from '../../src/db/migrate/plan.ts';
import { postgresSchemaDialect } from '../../src/db/migrate/postgres-schema-dialect.ts';
import { makeCollection as col, makeField as field } from '../../src/db/migrate/testing.ts';
import { openDatabase, type OpenedDatabase } from '../../src/db/open.ts';
import { openPostgres, type OpenedPostgres } from '../../src/db/open-postgres.ts';
import { loadSchemaFile } from '../../src/schema/load.ts';
import type { CollectionModel } from '../../src/schema/model.ts';
import { describePostgres, usePostgresDatabase } from '../helpers/postgres.ts';

const examples = join(import.meta.dirname, '../../../schema-examples');
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: Error) => e.message);

async function pgColumns(db: Kysely<any>, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table} AND column_name <> '_rowid_' ORDER BY ordinal_position`.execute(db);
  return rows.map((r) => r.name);
}
async function pgTables(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_galley\\_%' ORDER BY table_name COLLATE "C"`.execute(db);
  return rows.map((r) => r.name);
}
/** The schema's indexes (the primary key's and the `_rowid_` one every table has are not the schema's). */
async function pgIndexes(db: Kysely<any>, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = ${table} AND indexname NOT LIKE '%\\_pkey%' AND indexdef NOT LIKE '%(\\_rowid\\_)'
    ORDER BY indexname COLLATE "C"`.execute(db);
  return rows.map((r) => r.name);
}
/** The unique indexes on `_rowid_` alone (db/postgres-ddl.ts gives every table one). */
async function pgRowidIndexes(db: Kysely<any>, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attname = '_rowid_'
    WHERE i.indrelid = ${table}::regclass AND i.indisunique AND i.indnatts = 1 AND i.indkey[0] = a.attnum`.execute(db);
  return rows.map((r) => r.name);
}
async function sqliteColumns(db: OpenedDatabase, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(db.read);
  return rows.map((r) => r.name);
}
async function sqliteIndexes(db: OpenedDatabase, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table} AND sql IS NOT NULL ORDER BY name`.execute(db.read);
  return rows.map((r) => r.name);
}
const rowsOf = async (db: Kysely<any>, table: string, columns: string[]) =>
  (await db.selectFrom(table).select(columns).orderBy('id').execute()) as Array<Record<string, unknown>>;

describePostgres('migrateDatabase on PostgreSQL: the example schemas and a sequence of changes, as on SQLite', () => {
  const database = usePostgresDatabase();
  let pg: OpenedPostgres;
  let lite: OpenedDatabase;
  let dir = '';
  beforeAll(async () => {
    pg = await openPostgres({ url: database.get().url, max: 3 });
  });
  afterAll(() => pg?.close());
  beforeEach(async () => {
    await migrateDatabase(pg, [], { allowDataLoss: true }); // each test from an empty schema (drops are steps too)
    dir = mkdtempSync(join(tmpdir(), 'galley-pgddl-'));
    lite = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 1000 });
  });
  afterEach(async () => {
    await lite?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The same migration on both engines; the steps must be the same list of kinds. */
  async function migrateBoth(collections: CollectionModel[], opts: MigrateOptions = {}) {
    const [onPg, onLite] = [await migrateDatabase(pg, collections, opts), await migrateDatabase(lite, collections, opts)];
    expect(onPg.hash).toBe(onLite.hash);
    return { pg: onPg.steps, lite: onLite.steps };
  }
  async function expectSameRows(table: string, columns: string[]): Promise<Array<Record<string, unknown>>> {
    expect(await pgColumns(pg.db, table)).toEqual(await sqliteColumns(lite, table));
    const [a, b] = [await rowsOf(pg.db, table, columns), await rowsOf(lite.read, table, columns)];
    expect(a).toEqual(b);
    return a;
  }

  it('applies blog, todo and shop from empty as on SQLite (tables, columns, indexes); again is no step; history and status read', async () => {
    for (const name of ['blog', 'todo', 'shop']) {
      const schema = loadSchemaFile(join(examples, `${name}.json`));
      const [onPg, onLite] = [await applySchemaOnStart(pg, schema, { allowDataLoss: true }), await applySchemaOnStart(lite, schema, { allowDataLoss: true })];
      expect(onPg.applied).toEqual(onLite.applied);
      expect(onPg.hash).toBe(onLite.hash);
      const tables = schema.collections.filter((c) => c.type !== 'view').map((c) => c.name);
      expect(await pgTables(pg.db)).toEqual([...tables].sort());
      for (const t of tables) {
        expect(await pgColumns(pg.db, t), t).toEqual(await sqliteColumns(lite, t));
        expect(await pgIndexes(pg.db, t), t).toEqual(await sqliteIndexes(lite, t));
      }
      expect((await applySchemaOnStart(pg, schema)).applied).toEqual([]);
      expect((await readAppliedCollections(pg)).map((c) => c.name)).toEqual(schema.collections.map((c) => c.name));
    }
    // history: one row per apply that ran steps, with the SQL it ran; status: the plan against the applied schema
    const history = await listMigrations(pg.db);
    expect(history).toHaveLength(3);
    expect(history[0]!.sql.some((s) => s.startsWith('create table "posts"'))).toBe(true);
    const applied = await readAppliedSchema(pg.db);
    const blog = loadSchemaFile(join(examples, 'blog.json'));
    const status = await checkPlan(pg.db, planMigration(applied!.collections, blog.collections, postgresSchemaDialect), postgresSchemaDialect);
    expect(status.steps.filter((s) => s.kind === 'dropTable').length).toBeGreaterThan(0);
    expect(status.steps.every((s) => s.refused === '')).toBe(true);
  });

  const posts = col('posts', [
    field('title', 'text'),
    field('views', 'number'),
    field('draft', 'bool'),
    field('n', 'text'),
    field('tags', 'select', { maxSelect: 3, values: ['a', 'b', 'c'] }),
    field('meta', 'json'),
    field('gone', 'text'),
  ]);
  const seedRows = [
    { id: 'p1', title: 'One', views: 12.5, draft: 1, n: '42', tags: '["a","b"]', meta: '{"b":1,"a":[1, 2]}', gone: 'x' },
    { id: 'p2', title: 'two', views: 0, draft: 0, n: '', tags: '[]', meta: null, gone: '' },
    { id: 'p3', title: 'Three', views: -3, draft: 1, n: '-1e3', tags: '["c"]', meta: '[1]', gone: 'y' },
    { id: 'p4', title: 'four', views: 0.30000000000000004, draft: 0, n: '0.5', tags: '["b","c","a"]', meta: '"s"', gone: '' },
  ];

  it('adds, renames, drops and converts columns, adds and drops indexes, renames the table: the same rows as SQLite after each step', async () => {
    const v1 = { ...posts, indexes: ['CREATE UNIQUE INDEX `idx_title` ON `posts` (`title` COLLATE NOCASE)', 'CREATE INDEX idx_views ON posts (views)'] };
    await migrateBoth([v1]);
    await pg.db.insertInto('posts').values(seedRows).execute();
    await lite.writer.run((tx) => tx.db.insertInto('posts').values(seedRows).execute());
    const all = ['id', 'title', 'views', 'draft', 'n', 'tags', 'meta', 'gone'];
    const before = await expectSameRows('posts', all);
    expect(before[0]).toMatchObject({ views: 12.5, draft: 1, meta: '{"b":1,"a":[1, 2]}' }); // JSON text kept byte for byte

    // add (default in existing rows), rename, drop (lossy)
    const base = v1.fields.filter((f) => f.name !== 'gone');
    const v2 = { ...v1, fields: [...base.map((f) => (f.name === 'title' ? { ...f, id: 'text_heading', name: 'heading', renamedFrom: 'title' } : f)), field('score', 'number')],
      indexes: ['CREATE UNIQUE INDEX `idx_title` ON `posts` (`heading` COLLATE NOCASE)', 'CREATE INDEX idx_views ON posts (views)'] };
    expect(await failure(migrateDatabase(pg, [v2]))).toContain('[loses data] drop column "posts"."gone"');
    const s2 = await migrateBoth([v2], { allowDataLoss: true });
    expect(s2.pg.map((s) => s.kind)).toEqual(s2.lite.map((s) => s.kind));
    const cols2 = ['id', 'heading', 'views', 'draft', 'n', 'tags', 'meta', 'score'];
    expect(await pgColumns(pg.db, 'posts')).toEqual(['id', 'heading', 'views', 'draft', 'n', 'tags', 'meta', 'score']);
    await expectSameRows('posts', cols2);

    // type changes with data: text → number, number → text, bool → number, a list of 3 → one value (its last item)
    const retype = (name: string, type: string, extra = {}) => (f: (typeof base)[number]) => (f.name === name ? { ...f, type, ...extra } : f);
    const v3 = { ...v2, fields: v2.fields.map(retype('n', 'number')).map(retype('views', 'text')).map(retype('draft', 'number')).map(retype('tags', 'select', { maxSelect: 1 })) };
    expect(await failure(migrateDatabase(pg, [v3]))).toContain('loses: records "p1", "p4" hold more than one item in "tags"');
    const s3 = await migrateBoth([v3], { allowDataLoss: true });
    // SQLite rebuilds the table; PostgreSQL alters the four columns in place (its rows keep their _rowid_)
    expect(s3.lite.map((s) => s.kind)).toEqual(['dropIndex', 'dropIndex', 'rebuildTable', 'createIndex', 'createIndex']);
    expect(s3.pg.map((s) => s.kind)).toEqual(['convertColumn', 'convertColumn', 'convertColumn', 'convertColumn']);
    const after = await expectSameRows('posts', cols2);
    expect(after.map((r) => [r['n'], r['views'], r['draft'], r['tags']])).toEqual([
      [42, '12.5', 1, 'b'],
      [0, '0', 0, ''],
      [-1000, '-3', 1, 'c'],
      [0.5, '0.30000000000000004', 0, 'a'],
    ]);
    const { rows: rowids } = await sql<{ id: string; r: number }>`SELECT id, _rowid_ AS r FROM posts ORDER BY _rowid_`.execute(pg.db);
    expect(rowids.map((r) => r.id)).toEqual(['p1', 'p2', 'p3', 'p4']);

    // and back: one value → a list, number → bool (0/1 only: safe)
    const v4 = { ...v3, fields: v3.fields.map(retype('tags', 'select', { maxSelect: 3 })).map(retype('draft', 'bool')) };
    expect((await migrateBoth([v4])).pg.every((s) => !s.lossy)).toBe(true);
    expect((await expectSameRows('posts', ['id', 'tags', 'draft'])).map((r) => r['tags'])).toEqual(['["b"]', '[]', '["c"]', '["a"]']);

    // indexes: drop one, add a unique one that the data forbids (refused, nothing changes), then one it allows
    const dup = { ...v4, indexes: ['CREATE UNIQUE INDEX `idx_title` ON `posts` (`heading` COLLATE NOCASE)', 'CREATE UNIQUE INDEX idx_draft ON posts (draft)'] };
    expect(await failure(migrateDatabase(pg, [dup]))).toMatch(/refused: records "p1", "p2", "p3", "p4" share values that the unique index "idx_draft" forbids/);
    expect(await pgIndexes(pg.db, 'posts')).toEqual(['idx_title', 'idx_views']);
    const v5 = { ...v4, indexes: ['CREATE UNIQUE INDEX `idx_title` ON `posts` (`heading` COLLATE NOCASE)', "CREATE UNIQUE INDEX idx_n ON posts (n) WHERE n != 0"] };
    await migrateBoth([v5]);
    expect(await pgIndexes(pg.db, 'posts')).toEqual(await sqliteIndexes(lite, 'posts'));
    expect(await pgIndexes(pg.db, 'posts')).toEqual(['idx_n', 'idx_title']);
    // NOCASE as on SQLite: ASCII case folded, so "ONE" collides with "One"
    const clash = await pg.db.insertInto('posts').values({ id: 'p5', heading: 'ONE' }).execute().catch((e: Error) => e.message);
    expect(clash).toMatch(/duplicate key value violates unique constraint "idx_title"/);

    // rename the collection, with a view over it
    const renamed = { ...v5, name: 'articles', renamedFrom: 'posts', indexes: v5.indexes.map((i) => i.replace(/ON `?posts`?/, 'ON articles')) };
    const view = col('heavy', [field('heading', 'text'), field('n', 'number')], { type: 'view', viewQuery: 'SELECT id, heading, n FROM articles WHERE n > 1' });
    const s6 = await migrateBoth([renamed, view]);
    // (the index statements name the new table, so they are created again, on both engines)
    expect(s6.pg.map((s) => s.kind)).toEqual(['dropIndex', 'dropIndex', 'renameTable', 'createIndex', 'createIndex', 'createView']);
    expect(s6.pg.map((s) => s.kind)).toEqual(s6.lite.map((s) => s.kind));
    expect(await pgTables(pg.db)).toEqual(['articles']);
    expect(await rowsOf(pg.db, 'heavy', ['id', 'heading', 'n'])).toEqual(await rowsOf(lite.read, 'heavy', ['id', 'heading', 'n']));
    expect(await rowsOf(pg.db, 'heavy', ['id'])).toEqual([{ id: 'p1' }]);
    // a type change under the view: it is dropped first and created again after
    const s7 = await migrateBoth([{ ...renamed, fields: renamed.fields.map(retype('heading', 'json')) }, view], { allowDataLoss: true });
    expect(s7.pg.map((s) => s.kind)).toEqual(['dropView', 'convertColumn', 'createView']);
    expect(await rowsOf(pg.db, 'heavy', ['id', 'heading', 'n'])).toEqual(await rowsOf(lite.read, 'heavy', ['id', 'heading', 'n']));
    expect((await listMigrations(pg.db)).at(-1)!.steps.map((s) => s.kind)).toEqual(['dropView', 'convertColumn', 'createView']);
  });

  it('every table has a unique index on _rowid_; a table of an earlier build (without one) gets it at the next open, once', async () => {
    await migrateDatabase(pg, [col('posts', [field('title', 'text')])]);
    expect(await pgRowidIndexes(pg.db, 'posts')).toEqual(['posts__rowid__key']);
    // the database an earlier build made: the identity column alone
    await sql`ALTER TABLE posts DROP CONSTRAINT posts__rowid__key`.execute(pg.db);
    expect(await pgRowidIndexes(pg.db, 'posts')).toEqual([]);
    for (let i = 0; i < 2; i++) await (await openPostgres({ url: database.get().url, max: 1 })).close();
    expect(await pgRowidIndexes(pg.db, 'posts')).toEqual(['posts__rowid__key']);
    // a renamed table keeps its index; a new table of the old name gets one of its own (PostgreSQL picks the name)
    await migrateDatabase(pg, [col('articles', [field('title', 'text')], { id: 'pbc_posts', renamedFrom: 'posts' } as never)]);
    await migrateDatabase(pg, [col('articles', [field('title', 'text')], { id: 'pbc_posts' }), col('posts', [], { id: 'pbc_new' })]);
    expect(await pgRowidIndexes(pg.db, 'articles')).toEqual(['posts__rowid__key']);
    expect(await pgRowidIndexes(pg.db, 'posts')).toEqual(['posts__rowid__key1']);
  });

  it('relation lists: trimmed to their last items, one value wrapped in a list, ids of another collection filtered out, as on SQLite', async () => {
    const users = col('users', []);
    const people = col('people', []);
    const rel = (name: string, target: string, maxSelect: number) => field(name, 'relation', { collectionId: `pbc_${target}`, maxSelect });
    const v1 = col('posts', [rel('author', 'users', 1), rel('readers', 'users', 3)]);
    await migrateBoth([users, people, v1]);
    const seed = async (db: Kysely<any>) => {
      await db.insertInto('users').values([{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }]).execute();
      await db.insertInto('people').values([{ id: 'u2' }, { id: 'x9' }]).execute();
      await db.insertInto('posts').values([
        { id: 'p1', author: 'u1', readers: '["u1","u2","u3"]' },
        { id: 'p2', author: '', readers: '[]' },
        { id: 'p3', author: 'u2', readers: '["u3","u2"]' },
      ]).execute();
    };
    await seed(pg.db);
    await lite.writer.run((tx) => seed(tx.db));
    const v2 = col('posts', [rel('author', 'users', 3), rel('readers', 'users', 2)]);
    const s2 = await migrateBoth([users, people, v2], { allowDataLoss: true });
    expect(s2.pg.map((s) => s.kind)).toEqual(['convertColumn', 'convertColumn']);
    expect(await expectSameRows('posts', ['id', 'author', 'readers'])).toEqual([
      { id: 'p1', author: '["u1"]', readers: '["u2","u3"]' },
      { id: 'p2', author: '[]', readers: '[]' },
      { id: 'p3', author: '["u2"]', readers: '["u3","u2"]' },
    ]);
    const v3 = col('posts', [rel('author', 'people', 3), rel('readers', 'people', 2)]);
    const lossy = await failure(migrateDatabase(pg, [users, people, v3]));
    expect(lossy).toContain('loses: records "p1", "p3" hold ids in "readers" that are not records of "people"');
    await migrateBoth([users, people, v3], { allowDataLoss: true });
    expect(await expectSameRows('posts', ['id', 'author', 'readers'])).toEqual([
      { id: 'p1', author: '[]', readers: '["u2"]' },
      { id: 'p2', author: '[]', readers: '[]' },
      { id: 'p3', author: '["u2"]', readers: '["u2"]' },
    ]);
    // back to one value: the last item, as text
    await migrateBoth([users, people, col('posts', [rel('author', 'people', 1), rel('readers', 'people', 1)])]);
    expect(await expectSameRows('posts', ['id', 'author', 'readers'])).toEqual([
      { id: 'p1', author: '', readers: 'u2' },
      { id: 'p2', author: '', readers: '' },
      { id: 'p3', author: 'u2', readers: 'u2' },
    ]);
  });

  it('text → number is refused while a value is not a number, naming the records; nothing changes (the transaction rolls back)', async () => {
    const t = col('nums', [field('t', 'text')]);
    await migrateDatabase(pg, [t]);
    await pg.db.insertInto('nums').values([{ id: 'a', t: '1' }, { id: 'b', t: 'twelve' }]).execute();
    const count = (await listMigrations(pg.db)).length;
    const message = await failure(migrateDatabase(pg, [{ ...t, fields: t.fields.map((f) => (f.name === 't' ? { ...f, type: 'number' } : f)) }], { allowDataLoss: true }));
    expect(message).toContain('refused: record "b" holds text in "t" that is not a number (such as "twelve")');
    expect(await rowsOf(pg.db, 'nums', ['id', 't'])).toEqual([{ id: 'a', t: '1' }, { id: 'b', t: 'twelve' }]);
    expect(await listMigrations(pg.db)).toHaveLength(count);
  });

  it("another connection's write waits for the checks: a value it commits meanwhile is refused by name, not by a failed ALTER", async () => {
    const t = col('nums', [field('t', 'text')]);
    await migrateDatabase(pg, [t]);
    await pg.db.insertInto('nums').values([{ id: 'a', t: '1' }]).execute();
    const other = await openPostgres({ url: database.get().url, max: 1 });
    try {
      let commit!: () => void;
      const committing = new Promise<void>((r) => (commit = r));
      let inserted!: () => void;
      const isInserted = new Promise<void>((r) => (inserted = r));
      const writing = other.db.transaction().execute(async (tx) => {
        await tx.insertInto('nums').values({ id: 'b', t: 'twelve' }).execute();
        inserted();
        await committing;
      });
      await isInserted;
      const migrating = failure(migrateDatabase(pg, [{ ...t, fields: t.fields.map((f) => (f.name === 't' ? { ...f, type: 'number' } : f)) }]));
      for (let waiting = 0; waiting < 1; ) {
        await new Promise((r) => setTimeout(r, 50));
        const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'relation' AND NOT granted`.execute(pg.db);
        waiting = Number(rows[0]!.n);
      }
      commit();
      await writing;
      expect(await migrating).toContain('refused: record "b" holds text in "t" that is not a number (such as "twelve")');
    } finally {
      await other.close();
    }
  });
});

describePostgres('migrateDatabase on PostgreSQL: two instances applying at once', () => {
  const database = usePostgresDatabase();

  it('one applies, the other waits for the advisory lock, then finds the schema applied: neither fails, one history row, one NOTIFY', async () => {
    const open = () => openPostgres({ url: database.get().url, max: 2 });
    const [a, b, holder] = await Promise.all([open(), open(), open()]);
    const pgLib = (await import('pg')).default;
    const listener = new pgLib.Client({ connectionString: database.get().url });
    await listener.connect();
    const heard: Array<{ channel: string; payload?: string }> = [];
    listener.on('notification', (n) => heard.push({ channel: n.channel, payload: n.payload }));
    await listener.query('LISTEN galley_schema');
    try {
      const schema = loadSchemaFile(join(examples, 'blog.json'));
      // hold the lock so both appliers are seen waiting before either may run
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holding = holder.db.transaction().execute(async (tx) => {
        await sql`SELECT pg_advisory_xact_lock(${sql.lit(0x67616c6c6579)})`.execute(tx);
        locked();
        await held;
      });
      await isLocked;
      const both = Promise.all([applySchemaOnStart(a, schema), applySchemaOnStart(b, schema)]);
      for (let waiting = 0; waiting < 2; ) {
        await new Promise((r) => setTimeout(r, 50));
        const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`.execute(holder.db);
        waiting = Number(rows[0]!.n);
      }
      release();
      await holding;
      const [ra, rb] = await both;
      expect([ra.applied.length > 0, rb.applied.length > 0].sort()).toEqual([false, true]);
      expect(ra.hash).toBe(rb.hash);
      expect(await listMigrations(a.db)).toHaveLength(1);
      expect(await pgTables(a.db)).toEqual(schema.collections.filter((c) => c.type !== 'view').map((c) => c.name).sort());
      // the instance that applied told the others, once, with the applied hash (delivered at its COMMIT)
      await listener.query('SELECT 1');
      expect(heard).toEqual([{ channel: 'galley_schema', payload: ra.hash }]);
      // a migration that is refused (rolled back) tells nobody
      await failure(migrateDatabase(a, []));
      await listener.query('SELECT 1');
      expect(heard).toHaveLength(1);
    } finally {
      await listener.end();
      await Promise.all([a, b, holder].map((x) => x.close()));
    }
  });
});
