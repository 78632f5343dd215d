// The SQL console through the compiled binary and the official SDK's pb.send(): the binary runs each query in a
// child process of itself (BUN_BE_BUN=1), a runaway query is stopped at GALLEY_SQL_TIMEOUT_MS while the server
// answers other requests, and a runaway write holds record writes back (it never blocks the event loop) and
// leaves nothing behind once stopped.
import PocketBase, { ClientResponseError } from 'pocketbase';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteHandle } from '../../server/src/db/driver.ts';
import { runBinary, startBinary, type RunningBinary } from './helpers/binary.ts';

const RUNAWAY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
const OPEN = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

let server: RunningBinary;
let admin: PocketBase;

beforeAll(async () => {
  server = await startBinary({
    schema: [{ name: 'posts', type: 'base', ...OPEN, fields: [{ name: 'title', type: 'text' }] }],
    env: { GALLEY_SQL_TIMEOUT_MS: '2000' },
  });
  const up = await runBinary(['superuser', 'upsert', 'root@example.com', 'rootpass123', '--dir', server.dir]);
  expect(up.code, up.stderr).toBe(0);
  admin = new PocketBase(server.url);
  admin.autoCancellation(false);
  await admin.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
});
afterAll(async () => {
  await server?.stop();
});

const runSql = (query: string) => admin.send('/api/sql', { method: 'POST', body: { query }, requestKey: null });
const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (err: unknown) => {
      if (!(err instanceof ClientResponseError)) throw err;
      return err;
    },
  );

describe('POST /api/sql in the compiled binary', () => {
  it('runs a query in its child process and answers in PocketBase shape', async () => {
    await admin.collection('posts').create({ title: 'hello' });
    const res = await runSql("select title, 9007199254740993 as big from posts; select count(*) as n from posts where title = 'hello'");
    expect(res).toMatchObject({ affectedRows: 0, columns: [{ name: 'n', type: '', nullable: true }], rows: [['1']] });
    const dry = await admin.send('/api/collections/meta/dry-run-view', { method: 'POST', body: { query: 'select id, title from posts' }, requestKey: null });
    expect(dry.sample).toEqual([expect.objectContaining({ title: 'hello' })]);
  });

  it('stops a runaway read at the deadline while other requests are answered', async () => {
    let settled = false;
    const runaway = failureOf(runSql(RUNAWAY)).finally(() => (settled = true));
    const health = await fetch(`${server.url}/api/health`);
    const created = await new PocketBase(server.url).collection('posts').create({ title: 'while a read runs' });
    const pendingMeanwhile = !settled;
    const err = await runaway;
    expect(health.status).toBe(200);
    expect(created.title).toBe('while a read runs');
    expect(pendingMeanwhile).toBe(true);
    expect(err.status).toBe(400);
    expect(err.response.message).toContain('did not finish within 2 s');
  });

  it('a runaway write holds record writes back, not the server, and rolls back when stopped', async () => {
    const before = (await runSql('select count(*) from posts')).rows[0][0];
    const order: string[] = [];
    const runaway = failureOf(runSql(`insert into posts (id, title) select 'runaway00000001', 'x' where (${RUNAWAY}) > 0`)).then((e) => (order.push('console'), e));
    await waitForWriteLock(join(server.dir, 'data.db'));
    const record = new PocketBase(server.url).collection('posts').create({ title: 'during the console write' }).then((r) => (order.push('record'), r));
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    const [err, created] = await Promise.all([runaway, record]);
    expect(err.response.message).toContain('rolled back');
    expect(order).toEqual(['console', 'record']);
    const after = await runSql(`select count(*) from posts; `);
    expect(Number(after.rows[0][0])).toBe(Number(before) + 1);
    expect(await runSql(`select title from posts where id = '${created.id}'`)).toMatchObject({ rows: [['during the console write']] });
    expect(await runSql('PRAGMA integrity_check')).toMatchObject({ rows: [['ok']] });
  });

  it('refuses a change of structure and points to the schema file', async () => {
    const err = await failureOf(runSql('/* x */ drop table posts'));
    expect(err.status).toBe(400);
    expect(err.response.message).toContain('schema file');
  });
});

/** Until another process (the console's child) holds data.db's write lock: a probe with busy timeout 0. */
async function waitForWriteLock(file: string): Promise<void> {
  for (;;) {
    const h = openSqliteHandle(file);
    try {
      h.exec('PRAGMA busy_timeout = 0');
      h.exec('BEGIN IMMEDIATE');
      h.exec('ROLLBACK');
    } catch {
      return;
    } finally {
      h.close();
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
