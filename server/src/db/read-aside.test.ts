// db.readAside: costly reads off the event loop (a worker under Bun; inline where no worker can load the
// .ts sources, as Node 20 under vitest). Same answers either way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from './open.ts';

/** Counts to `n` in SQLite: slow enough to measure at 1e8 (seconds), instant at 10. */
const countTo = (n: number) =>
  CompiledQuery.raw('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) AS n FROM c', [n]);

let dir = '';
let db: OpenedDatabase;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-aside-'));
  db = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 1000 });
  await db.writer.run(async (tx) => {
    await sql`CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, b BLOB)`.execute(tx.db);
    await sql`INSERT INTO t VALUES ('a', 1, x'0102'), ('b', 2, NULL)`.execute(tx.db);
  });
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('db.readAside', () => {
  it('answers what db.read answers (rows, numbers, blobs, parameters)', async () => {
    const q = CompiledQuery.raw('SELECT id, n, b FROM t WHERE n >= ? ORDER BY id', [1]);
    const aside = await db.readAside(q);
    const inline = await db.read.executeQuery(q);
    expect(aside.rows).toEqual(inline.rows);
    expect(aside.rows).toHaveLength(2);
    expect([...(aside.rows[0] as { b: Uint8Array }).b]).toEqual([1, 2]);
    expect((await db.readAside(countTo(1000))).rows).toEqual([{ n: 1000 }]);
  });

  it('keeps SQLite’s error code, so errors map as they do inline', async () => {
    const err = await db.readAside(CompiledQuery.raw('SELECT * FROM no_such_table', [])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBe('SQLITE_ERROR');
    expect(String((err as Error).message)).toContain('no such table');
  });

  it('sees only committed rows, or the write job’s own rows from inside it', async () => {
    await db.writer.run(async (tx) => {
      await sql`INSERT INTO t VALUES ('c', 3, NULL)`.execute(tx.db);
      expect((await db.readAside(CompiledQuery.raw("SELECT id FROM t WHERE id = 'c'", []))).rows).toEqual([{ id: 'c' }]);
    });
    expect((await db.readAside(CompiledQuery.raw('SELECT count(*) AS n FROM t', []))).rows).toEqual([{ n: 3 }]);
  });

  it('refuses writes (its connection is query_only)', async () => {
    await expect(db.readAside(CompiledQuery.raw("INSERT INTO t VALUES ('z', 9, NULL)", []))).rejects.toThrow(/readonly|query_only|attempt to write/i);
  });
});
