// writer.pause(): the SQL console's child takes data.db's write lock while the group-commit writer holds its jobs
// back, so the writer's BEGIN never sleeps in SQLite's busy handler on the main thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openSqliteHandle } from './driver.ts';
import { openDatabase, type OpenedDatabase } from './open.ts';

let dir: string;
let db: OpenedDatabase;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-pause-'));
  db = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 5000 });
  await db.writer.run((tx) => sql`CREATE TABLE t (id TEXT PRIMARY KEY)`.execute(tx.db));
});
afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (id: string) => db.writer.run((tx) => sql`INSERT INTO t (id) VALUES (${id})`.execute(tx.db));

it('jobs queued while paused wait, then commit after the release; another connection writes in between', async () => {
  const release = await db.writer.pause();
  const order: string[] = [];
  const held = insert('held').then(() => order.push('held'));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  // the writer has not begun: another connection gets the write lock at once (busy timeout 0)
  const other = openSqliteHandle(join(dir, 'data.db'));
  other.exec('PRAGMA busy_timeout = 0');
  other.exec('BEGIN IMMEDIATE');
  other.exec("INSERT INTO t (id) VALUES ('other')");
  other.exec('COMMIT');
  other.close();
  order.push('other');
  release();
  await held;
  expect(order).toEqual(['other', 'held']);
  const rows = await sql<{ id: string }>`SELECT id FROM t ORDER BY id`.execute(db.read);
  expect(rows.rows.map((r) => r.id)).toEqual(['held', 'other']);
});

it('a pause waits for the group that is running, and releasing twice is harmless', async () => {
  let inside = false;
  const running = db.writer.run(async (tx) => {
    inside = true;
    await new Promise((r) => setTimeout(r, 20));
    await sql`INSERT INTO t (id) VALUES ('first')`.execute(tx.db);
    inside = false;
  });
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  expect(inside).toBe(true);
  const release = await db.writer.pause();
  expect(inside).toBe(false);
  await running;
  release();
  release();
  await insert('after');
  expect(db.writer.stats().failedGroups).toBe(0);
});
