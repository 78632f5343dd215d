// POST /api/sql and POST /api/collections/meta/dry-run-view (PocketBase 0.39's apis/sql.go and apis/collection.go),
// sent with the official SDK's pb.send() (it has no helper for either) over a real listener. The tables follow
// PocketBase's own scenarios (apis/sql_test.go, TestCollectionTestView), then Galley's refusals: every attempt to
// change data.db's structure or reach _galley_* — through comments, quoting, case, several statements or a CTE —
// is a 400 and leaves data.db as it was.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteHandle } from '../../src/db/driver.ts';
import { createGalley, upsertSuperuser, type Galley } from '../../src/index.ts';
import { runScenario, type Scenario, type ScenarioTarget } from '../helpers/scenario.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { selfServiceUsers } from '../helpers/users-collection.ts';

const OPEN = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
const SCHEMA = {
  collections: [
    selfServiceUsers(),
    { name: 'posts', type: 'base', ...OPEN, fields: [{ name: 'title', type: 'text' }, { name: 'n', type: 'number' }] },
  ],
};
/** Short, so the runaway rows finish quickly; PocketBase's is 3 minutes (the default here too). */
const TIMEOUT_MS = 2000;
const RUNAWAY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

let dir: string;
let galley: Galley;
let url: string;
let target: ScenarioTarget;
const tokens: Record<string, string> = {};
const logLines: string[] = [];

/** A scenario target that sends each row with the SDK's pb.send(), as a client of these routes would. */
function sdkTarget(): ScenarioTarget {
  return {
    galley,
    async call(method, path, opts = {}) {
      const pb = new PocketBase(url);
      try {
        const json = await pb.send(path, { method, body: opts.body as never, headers: opts.auth ? { Authorization: opts.auth } : {}, requestKey: null });
        return { status: 200, text: JSON.stringify(json), json, headers: new Headers() };
      } catch (err) {
        if (!(err instanceof ClientResponseError)) throw err;
        return { status: err.status, text: JSON.stringify(err.response), json: err.response, headers: new Headers() };
      }
    },
  };
}

/** Rows and tables of data.db as its own connection sees them (not through the console under test). */
function inspectData<T>(fn: (h: ReturnType<typeof openSqliteHandle>) => T): T {
  const h = openSqliteHandle(join(dir, 'data.db'));
  try {
    return fn(h);
  } finally {
    h.close();
  }
}
const countPosts = () => inspectData((h) => Number(h.prepare('SELECT count(*) AS n FROM posts').all()[0]!['n']));
const listTables = () => inspectData((h) => h.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table','view','index','trigger') ORDER BY name").all().map((r) => String(r['name'])));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-sql-'));
  galley = await createGalley({ dir, schema: SCHEMA, sqlTimeoutMs: TIMEOUT_MS, logger: createTestLogger('info', (line) => logLines.push(line)) });
  ({ url } = await galley.listen('127.0.0.1:0'));
  target = sdkTarget();
  await upsertSuperuser({ dir }, 'root@example.com', 'rootpass123');
  const pb = new PocketBase(url);
  tokens['root'] = (await pb.collection('_superusers').authWithPassword('root@example.com', 'rootpass123')).token;
  await pb.collection('users').create({ email: 'u@example.com', password: 'password123', passwordConfirm: 'password123' });
  tokens['user'] = (await pb.collection('users').authWithPassword('u@example.com', 'password123')).token;
  const posts = new PocketBase(url).collection('posts');
  for (const [title, n] of [['first', 1], ['second', 2]] as const) await posts.create({ id: `post${n}aaaaaaaaaa`, title, n });
}, 60_000);

afterAll(async () => {
  await galley?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sql = (query: unknown): Pick<Scenario, 'method' | 'path' | 'body'> => ({ method: 'POST', path: '/api/sql', body: { query } });
const dryRun = (query: unknown): Pick<Scenario, 'method' | 'path' | 'body'> => ({ method: 'POST', path: '/api/collections/meta/dry-run-view', body: { query } });

describe('POST /api/sql', () => {
  const table: Scenario[] = [
    { name: 'a guest gets 401', ...sql('select 1'), status: 401, contains: ['"data":{}'], events: [] },
    { name: 'a user gets 403', ...sql('select 1'), as: 'user', status: 403, contains: ['"data":{}'], events: [] },
    {
      name: 'a superuser gets the columns and rows, every value as PocketBase scans it (a string)',
      ...sql('select 1'), as: 'root', status: 200, events: [],
      contains: ['"execTime":', '"affectedRows":0', '"columns":[{"name":"1","type":"","nullable":true}]', '"rows":[["1"]]'],
    },
    { name: 'an empty query is required', ...sql(''), as: 'root', status: 400, contains: ['"query":{"code":"validation_required"'] },
    { name: 'a query of blanks is the empty query', ...sql('   '), as: 'root', status: 400, contains: ['Raw error:', 'empty query'] },
    { name: 'a query longer than 5000 characters is refused', ...sql('a'.repeat(5001)), as: 'root', status: 400, contains: ['"query":{"code":"validation_length_too_long"'] },
    {
      name: 'a query of exactly 5000 characters runs',
      ...sql(`select '${'a'.repeat(4985)}' as id`), as: 'root', status: 200, contains: ['"columns":[{"name":"id","type":"","nullable":true}]', '"rows":[["aaa'],
    },
    { name: 'SQLite\'s own error comes back raw', ...sql('invalid'), as: 'root', status: 400, contains: ['"data":{}', 'Raw error:', 'syntax error'] },
    { name: 'of several reads the last one answers', ...sql('select 1;select 2'), as: 'root', status: 200, contains: ['"columns":[{"name":"2","type":"","nullable":true}]', '"rows":[["2"]]'] },
    {
      name: 'values: exact 64-bit integers, reals as Go prints them, a blob\'s bytes as text, NULL as null, declared types upper-cased',
      ...sql("select 9007199254740993 as big, 1.5 as r, 1e6 as m, 0.00001 as tiny, x'616263' as b, null as z, title from posts order by n limit 1"),
      as: 'root', status: 200,
      contains: ['"rows":[["9007199254740993","1.5","1e+06","1e-05","abc",null,"first"]]', '{"name":"title","type":"TEXT","nullable":true}'],
    },
    {
      name: 'a TEMP table lives for the query: created, filled and read in one go',
      ...sql('create temp table scratch(a); insert into scratch values (7), (8); select a from scratch order by a'),
      as: 'root', status: 200, contains: ['"affectedRows":2', '"rows":[["7"],["8"]]'],
    },
    { name: 'a TEMP table does not outlive its query (the next query has a fresh connection)', ...sql('select a from scratch'), as: 'root', status: 400, contains: ['no such table: scratch'] },
    { name: 'PRAGMA table_info reads', ...sql('pragma table_info(posts)'), as: 'root', status: 200, contains: ['"title"'] },
    { name: 'PRAGMA integrity_check reads (Galley\'s tables included)', ...sql('PRAGMA integrity_check'), as: 'root', status: 200, contains: ['"rows":[["ok"]]'] },
    { name: 'PRAGMA journal_mode (no value) reads', ...sql('pragma journal_mode'), as: 'root', status: 200, contains: ['"rows":[["wal"]]'] },
    { name: 'EXPLAIN QUERY PLAN describes without running', ...sql('explain query plan delete from posts'), as: 'root', status: 200, contains: ['"columns":['] },
    {
      name: 'SAVEPOINT and ROLLBACK TO work inside the console\'s transaction',
      ...sql("savepoint a; insert into posts (id, title) values ('savepoint000001', 'gone'); rollback to a; select count(*) from posts where id = 'savepoint000001'"),
      as: 'root', status: 200, contains: ['"rows":[["0"]]'],
    },
    { name: 'VACUUM alone runs', ...sql('VACUUM'), as: 'root', status: 200, contains: ['"columns":[]'] },
    { name: 'VACUUM with another statement is refused', ...sql('VACUUM; select 1'), as: 'root', status: 400, contains: ['only statement'] },
    { name: 'load_extension() stays disabled', ...sql("select load_extension('/tmp/x')"), as: 'root', status: 400, contains: ['not authorized'] },
  ];
  it.each(table)('$name', (s) => runScenario(target, s, tokens).then(() => undefined));

  const before = { tables: [] as string[], posts: 0 };
  const refusals: Array<[string, string]> = [
    ['CREATE TABLE', 'create table evil(a)'],
    ['comments and odd case', '/* x */ cReAtE/**/TaBlE evil(a)'],
    ['a line comment before DROP', '-- just a read\nDROP TABLE posts'],
    ['the second statement', 'select 1; ALTER TABLE posts ADD COLUMN evil TEXT'],
    ['a DROP INDEX', 'drop index if exists idx_anything'],
    ['a CREATE VIEW', 'create view evil as select 1'],
    ['a CREATE TRIGGER (its body split at ;)', 'CREATE TRIGGER evil AFTER INSERT ON posts BEGIN DELETE FROM posts; END'],
    ['a TEMP trigger on a main table (split, END refused)', 'CREATE TEMP TRIGGER evil AFTER INSERT ON main.posts BEGIN DELETE FROM posts; END'],
    ['a quoted keyword (SQLite refuses it too)', '"CREATE" TABLE evil(a)'],
    ['reading _galley_params', 'select * from _galley_params'],
    ['reading it through a CTE', 'with x as (select 1) select * from "_galley_params"'],
    ['reading it under another case and schema name', 'select * from main._GALLEY_PARAMS'],
    ['reading it in a subquery', 'select (select count(*) from [_galley_schema]) as n'],
    ['writing _galley_migrations', 'delete from _galley_migrations'],
    ['PRAGMA synchronous = OFF', 'PRAGMA synchronous = OFF'],
    ['PRAGMA journal_mode with a schema name', 'pragma main.journal_mode=delete'],
    ['a PRAGMA under EXPLAIN (it would apply while prepared)', 'explain pragma foreign_keys = 0'],
    ['PRAGMA writable_schema', 'PRAGMA writable_schema=ON'],
    ['a PRAGMA setting in parentheses', 'PRAGMA foreign_keys(0)'],
    ['ATTACH', "ATTACH '/tmp/galley-evil.db' AS evil"],
    ['VACUUM INTO', "VACUUM INTO '/tmp/galley-evil.db'"],
    ['BEGIN … COMMIT of its own', 'BEGIN; delete from posts; COMMIT'],
    ['a DELETE of _galley_schema after a CTE', 'with x as (select 1) delete from _galley_schema'],
  ];
  it.each(refusals)('refused with a 400, data.db untouched: %s', async (_label, query) => {
    before.tables = listTables();
    before.posts = countPosts();
    const res = await runScenario(target, { name: query, ...sql(query), as: 'root', status: 400, contains: ['"data":{}'], events: [] }, tokens);
    expect(res.json.message).toMatch(/refused|Raw error/);
    expect(listTables()).toEqual(before.tables);
    expect(countPosts()).toBe(before.posts);
  });

  it('a refusal of structure names the schema file', async () => {
    const res = await runScenario(target, { name: 'drop', ...sql('DROP TABLE posts'), as: 'root', status: 400 }, tokens);
    expect(res.json.message).toContain('schema file');
  });

  it('several writes run in one transaction, logged with the superuser\'s id', async () => {
    const before = countPosts();
    const q = "insert into posts (id, title, n) values ('sqla00000000001', 'a', 10); insert into posts (id, title, n) values ('sqlb00000000001', 'b', 11)";
    const res = await runScenario(target, { name: 'two inserts', ...sql(q), as: 'root', status: 200, contains: ['"affectedRows":2', '"columns":[]', '"rows":[]'] }, tokens);
    expect(res.json.affectedRows).toBe(2);
    expect(countPosts()).toBe(before + 2);
    const root = inspectData((h) => String(h.prepare("SELECT id FROM _superusers WHERE email = 'root@example.com'").all()[0]!['id']));
    expect(logLines.some((l) => l.includes('SQL console query wrote to data.db') && l.includes(root) && l.includes('sqla00000000001'))).toBe(true);
    // and in the app log GET /api/logs lists (written in batches: asked until it is there)
    const pb = new PocketBase(url);
    pb.authStore.save(tokens['root']!);
    for (;;) {
      const found = await pb.logs.getList(1, 20, { filter: "message = 'SQL console query wrote to data.db'", sort: '-created', requestKey: null });
      const entry = found.items.find((l) => l.message === 'SQL console query wrote to data.db' && JSON.stringify(l.data).includes('sqla00000000001'));
      if (entry) {
        expect(entry.data).toMatchObject({ superuserId: root, affectedRows: 2 });
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('one failing statement rolls every one of them back', async () => {
    const before = countPosts();
    const q = "insert into posts (id, title, n) values ('sqlc00000000001', 'c', 12); invalid";
    await runScenario(target, { name: 'insert then invalid', ...sql(q), as: 'root', status: 400, contains: ['Raw error:'] }, tokens);
    expect(countPosts()).toBe(before);
  });

  it('INSERT … RETURNING answers its rows', async () => {
    const res = await runScenario(target, { name: 'returning', ...sql("update posts set n = n + 100 where id = 'post1aaaaaaaaaa' returning id, n"), as: 'root', status: 200 }, tokens);
    expect(res.json).toMatchObject({ affectedRows: 1, rows: [['post1aaaaaaaaaa', '101']] });
  });

  it('at most 1000 rows come back', async () => {
    const res = await runScenario(target, { name: 'many', ...sql('with recursive c(x) as (select 1 union all select x + 1 from c limit 1500) select x from c'), as: 'root', status: 200 }, tokens);
    expect(res.json.rows).toHaveLength(1000);
    expect(res.json.rows.at(-1)).toEqual(['1000']);
  });

  it('a runaway read is stopped at the deadline while other requests are answered', async () => {
    let settled = false;
    const runaway = runScenario(target, { name: 'runaway', ...sql(RUNAWAY), as: 'root', status: 400, contains: ['did not finish within 2 s'] }, tokens).finally(() => (settled = true));
    const health = await new PocketBase(url).health.check();
    expect(health.code).toBe(200);
    expect(settled).toBe(false);
    await runaway;
  });

  it('a runaway write holds record writes back (never the event loop) and is rolled back when stopped', async () => {
    const before = countPosts();
    const order: string[] = [];
    const q = `insert into posts (id, title) select 'runaway00000001', 'x' where (${RUNAWAY}) > 0`;
    const runaway = runScenario(target, { name: 'runaway write', ...sql(q), as: 'root', status: 400, contains: ['rolled back'] }, tokens).then(() => order.push('console'));
    await waitForWriteLock();
    const record = new PocketBase(url).collection('posts').create({ title: 'during the console write' }).then((r) => (order.push('record'), r));
    const health = await new PocketBase(url).health.check();
    expect(health.code).toBe(200);
    expect(order).toEqual([]);
    const created = await record;
    await runaway;
    expect(order).toEqual(['console', 'record']);
    expect(countPosts()).toBe(before + 1);
    expect(inspectData((h) => h.prepare('SELECT title FROM posts WHERE id = ?').all([created.id]))).toEqual([{ title: 'during the console write' }]);
  });

  it('console writes and record writes at the same time all land', async () => {
    const before = countPosts();
    const pb = new PocketBase(url);
    const records = Array.from({ length: 20 }, (_, i) => pb.collection('posts').create({ title: `rec ${i}` }, { requestKey: null }));
    const consoles = Array.from({ length: 3 }, (_, i) =>
      runScenario(target, { name: `console ${i}`, ...sql(`insert into posts (id, title) values ('cons${i}0000000000', 'console ${i}')`), as: 'root', status: 200, contains: ['"affectedRows":1'] }, tokens),
    );
    await Promise.all([...records, ...consoles]);
    expect(countPosts()).toBe(before + 23);
  });
});

/** Until the console's child holds data.db's write lock (a probe on a connection of its own, busy timeout 0). */
async function waitForWriteLock(): Promise<void> {
  for (;;) {
    const held = inspectData((h) => {
      h.exec('PRAGMA busy_timeout = 0');
      try {
        h.exec('BEGIN IMMEDIATE');
        h.exec('ROLLBACK');
        return false;
      } catch {
        return true;
      }
    });
    if (held) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('POST /api/collections/meta/dry-run-view', () => {
  const table: Scenario[] = [
    { name: 'a guest gets 401', ...dryRun('select 1 as id'), status: 401, contains: ['"data":{}'], events: [] },
    { name: 'a user gets 403', ...dryRun('select 1 as id'), as: 'user', status: 403, contains: ['"data":{}'], events: [] },
    { name: 'a superuser gets fields and a sample', ...dryRun('select 1 as id'), as: 'root', status: 200, contains: ['"fields":[{', '"name":"id"', '"type":"text"', '"sample":[{', '"id":"1"'], events: [] },
    { name: 'an empty query is required', ...dryRun(''), as: 'root', status: 400, contains: ['"data":{"query":{"code":"validation_required"'] },
    { name: 'a query longer than 5000 characters is refused', ...dryRun('a'.repeat(5001)), as: 'root', status: 400, contains: ['"data":{"query":{"code":"validation_length_too_long"'] },
    { name: 'a query of exactly 5000 characters runs', ...dryRun(`select 1 as id${' '.repeat(4986)}`), as: 'root', status: 200, contains: ['"sample":[', '"id":"1"'] },
    { name: 'records with an empty id', ...dryRun("select 1 as id union select '' as id"), as: 'root', status: 400, contains: ['"data":{}', 'Raw error:', 'empty or invalid ids'] },
    { name: 'records with the same id', ...dryRun('select 1 as id union all select 1 as id'), as: 'root', status: 400, contains: ['"data":{}', 'Raw error:', 'non-unique ids'] },
    { name: 'a parenthesised query (PocketBase reads it; Galley\'s views do not)', ...dryRun("(select 1 as id union select '' as id)"), as: 'root', status: 400, contains: ['"data":{}', 'Raw error:'] },
    { name: 'a write query', ...dryRun('CREATE TABLE t1(x INT)'), as: 'root', status: 400, contains: ['"data":{}', 'Raw error:'] },
    { name: 'a query without an id column', ...dryRun('select 1 as x'), as: 'root', status: 400, contains: ['Raw error:', 'missing the required'] },
    { name: 'a second statement', ...dryRun('select 1 as id; delete from posts'), as: 'root', status: 400, contains: ['Raw error:', 'multiple statements'] },
    { name: 'Galley\'s own tables', ...dryRun('select key as id from _galley_params'), as: 'root', status: 400, contains: ['Raw error:', 'not a collection'] },
    { name: 'an unknown table is SQLite\'s error', ...dryRun('select id from nowhere'), as: 'root', status: 400, contains: ['Raw error:', 'no such table'] },
    {
      name: 'fields copy the collection\'s (a text stays text, count(*) is a number) and the sample is records',
      ...dryRun('select p.id, p.title, count(*) as total from posts p where p.id like \'post%\' group by p.id order by p.id'),
      as: 'root', status: 200,
      contains: ['{"autogeneratePattern"', '"name":"title"', '"name":"total"', '"type":"number"', '"collectionName":"temp_view_', '"title":"first","total":1'],
    },
    { name: 'a runaway query stops at the deadline', ...dryRun(`select 1 as id where (${RUNAWAY}) > 0`), as: 'root', status: 400, contains: ['Raw error:', 'did not finish'] },
  ];
  it.each(table)('$name', (s) => runScenario(target, s, tokens).then(() => undefined));

  it('the sample is at most 10 records and the fields are those a view collection gets', async () => {
    const res = await runScenario(target, { name: 'many', ...dryRun('with recursive c(x) as (select 1 union all select x + 1 from c limit 50) select x as id, x * 2 as twice from c'), as: 'root', status: 200 }, tokens);
    expect(res.json.sample).toHaveLength(10);
    expect(res.json.fields.map((f: { name: string; type: string }) => [f.name, f.type])).toEqual([['id', 'text'], ['twice', 'json']]);
    expect(res.json.sample[0]).toMatchObject({ id: '1', twice: 2 });
  });
});
