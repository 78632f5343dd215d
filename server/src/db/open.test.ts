import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { openSqliteHandle } from './driver.ts';
import { openDatabase, type OpenedDatabase, type OpenOptions } from './open.ts';

let dir: string;
const opened: OpenedDatabase[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'galley-'));
});
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(extra: Partial<OpenOptions> = {}): OpenedDatabase {
  const db = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 1234, ...extra });
  opened.push(db);
  return db;
}

async function pragma(db: Kysely<any>, name: string): Promise<unknown> {
  const { rows } = await sql.raw<Record<string, unknown>>(`PRAGMA ${name}`).execute(db);
  return Object.values(rows[0] ?? {})[0];
}

async function writerPragmas(db: OpenedDatabase): Promise<Record<string, unknown>> {
  return db.writer.run(async (tx) => ({
    journal_mode: await pragma(tx.db, 'journal_mode'),
    synchronous: await pragma(tx.db, 'synchronous'),
    foreign_keys: await pragma(tx.db, 'foreign_keys'),
    busy_timeout: await pragma(tx.db, 'busy_timeout'),
    journal_size_limit: await pragma(tx.db, 'journal_size_limit'),
    cache_size: await pragma(tx.db, 'cache_size'),
    wal_autocheckpoint: await pragma(tx.db, 'wal_autocheckpoint'),
    query_only: await pragma(tx.db, 'query_only'),
    mmap_size: await pragma(tx.db, 'mmap_size'),
  }));
}

describe('openDatabase', () => {
  it("sets the pragmas on the writer: WAL, synchronous (FULL as NORMAL + its own WAL sync), foreign keys, busy timeout, journal size limit, PocketBase's 16 MB page cache, a checkpoint every 4000 pages", async () => {
    const db = open();
    expect(await writerPragmas(db)).toEqual({
      journal_mode: 'wal',
      synchronous: 1,
      foreign_keys: 1,
      busy_timeout: 1234,
      journal_size_limit: 64 * 1024 * 1024,
      cache_size: -16000,
      wal_autocheckpoint: 4000,
      query_only: 0,
      mmap_size: 0, // the writer reads through its page cache: only the reader maps the file
    });
  });

  it("sets the same pragmas on the reader, which is also query_only, with PocketBase's 16 MB page cache and the file mapped (256 MB at most)", async () => {
    const db = open({ journalSizeLimit: 1000 });
    expect(await pragma(db.read, 'journal_mode')).toBe('wal');
    expect(await pragma(db.read, 'synchronous')).toBe(2);
    expect(await pragma(db.read, 'foreign_keys')).toBe(1);
    expect(await pragma(db.read, 'busy_timeout')).toBe(1234);
    expect(await pragma(db.read, 'journal_size_limit')).toBe(1000);
    expect(await pragma(db.read, 'cache_size')).toBe(-16000);
    expect(await pragma(db.read, 'query_only')).toBe(1);
    expect(await pragma(db.read, 'mmap_size')).toBe(256 * 1024 * 1024);
    await expect(sql`CREATE TABLE nope (a TEXT)`.execute(db.read)).rejects.toThrow(/readonly|query_only/i);
  });

  it('synchronous=NORMAL is applied and warned about once', async () => {
    const lines: string[] = [];
    const log = (level: string, msg: string) => lines.push(`${level}: ${msg}`);
    const db = open({ synchronous: 'NORMAL', log });
    expect((await writerPragmas(db)).synchronous).toBe(1);
    expect(await pragma(db.read, 'synchronous')).toBe(1);
    await db.close();
    open({ synchronous: 'NORMAL', log });
    expect(lines.filter((l) => l.startsWith('warn: synchronous=NORMAL'))).toHaveLength(1);
  });

  it('creates the parent directory and the bookkeeping tables', async () => {
    const file = join(dir, 'deep', 'er', 'data.db');
    const db = openDatabase({ file, synchronous: 'FULL', busyTimeoutMs: 100 });
    opened.push(db);
    expect(existsSync(file)).toBe(true);
    const names = await db.read
      .selectFrom('sqlite_master')
      .select('name')
      .where('type', '=', 'table')
      .orderBy('name')
      .execute();
    expect(names.map((r) => r.name)).toEqual(['_galley_migrations', '_galley_params', '_galley_schema', 'sqlite_sequence']);
  });

  it('opens a database that has the bookkeeping tables without a write transaction (another connection holds the write lock)', async () => {
    const file = join(dir, 'data.db');
    await openDatabase({ file, synchronous: 'FULL', busyTimeoutMs: 100 }).close();
    const holder = openSqliteHandle(file);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const db = openDatabase({ file, synchronous: 'FULL', busyTimeoutMs: 50 });
      opened.push(db);
      expect((await db.read.selectFrom('_galley_params').selectAll().execute()).length).toBe(0);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('refuses an in-memory database and invalid numbers', () => {
    expect(() => openDatabase({ file: ':memory:', synchronous: 'FULL', busyTimeoutMs: 1 })).toThrow(GalleyError);
    expect(() => open({ busyTimeoutMs: -1 })).toThrow(/busyTimeoutMs/);
  });

  it('with FULL, a write is answered only after a WAL fdatasync that started after its COMMIT; NORMAL syncs nothing', async () => {
    const db = open();
    await db.writer.run((tx) => sql`CREATE TABLE t (n INTEGER)`.execute(tx.db));
    const before = db.writer.stats();
    // many writes in a few groups: every group waits for a sync, and syncs are shared between groups
    await Promise.all(Array.from({ length: 200 }, (_, n) => db.writer.run((tx) => tx.db.insertInto('t').values({ n }).execute())));
    const after = db.writer.stats();
    expect(after.commits).toBeGreaterThan(before.commits);
    expect(after.awaitingSync).toBe(0);
    expect(db.walSyncs()).toBeGreaterThanOrEqual(2);
    expect(db.walSyncs()).toBeLessThanOrEqual(after.commits);
    let answered = false;
    const write = db.writer.run((tx) => tx.db.insertInto('t').values({ n: -1 }).execute()).then(() => (answered = true));
    const syncsBefore = db.walSyncs();
    // the COMMIT happens on the next turn; the answer waits for the sync on the thread pool
    await new Promise((r) => setImmediate(r));
    await write;
    expect(answered).toBe(true);
    expect(db.walSyncs()).toBeGreaterThan(syncsBefore);
    const normal = openDatabase({ file: join(dir, 'normal.db'), synchronous: 'NORMAL', busyTimeoutMs: 1000 });
    opened.push(normal);
    await normal.writer.run((tx) => sql`CREATE TABLE t (n INTEGER)`.execute(tx.db));
    expect(normal.walSyncs()).toBe(0);
  });

  it("the reader runs a compiled read at once, but never inside another caller's open read transaction", async () => {
    const db = open();
    await db.writer.run(async (tx) => {
      await sql`CREATE TABLE t (n INTEGER)`.execute(tx.db);
    });
    const count = sql<{ n: number }>`SELECT count(*) AS n FROM t`.compile(db.read);
    const before = db.statementCounts().executed;
    expect((await db.read.executeQuery(count)).rows).toEqual([{ n: 0 }]);
    expect(db.statementCounts().executed - before).toBe(1);
    let seen: unknown;
    await db.read.transaction().execute(async (trx) => {
      await sql`SELECT count(*) FROM t`.execute(trx); // the transaction's snapshot starts here: no rows
      await db.writer.run(async (tx) => {
        await sql`INSERT INTO t (n) VALUES (1)`.execute(tx.db);
      });
      // asked while the transaction holds the reader: it waits for the COMMIT instead of reading the old snapshot
      seen = db.read.executeQuery(count).then((r) => r.rows);
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    expect(await seen).toEqual([{ n: 1 }]);
  });

  it('close waits for queued writes, then checkpoints and removes the WAL', async () => {
    const db = open();
    await db.writer.run((tx) => sql`CREATE TABLE t (n INTEGER)`.execute(tx.db));
    const writes = Array.from({ length: 50 }, (_, n) =>
      db.writer.run((tx) => tx.db.insertInto('t').values({ n }).execute()),
    );
    const closing = db.close();
    await expect(db.writer.run(async () => 1)).rejects.toMatchObject({ kind: 'unavailable' });
    await closing;
    await Promise.all(writes);
    expect(existsSync(join(dir, 'data.db-wal'))).toBe(false);
    const again = open();
    expect(await again.read.selectFrom('t').select((eb) => eb.fn.countAll().as('c')).executeTakeFirst()).toEqual({ c: 50 });
  });
});
