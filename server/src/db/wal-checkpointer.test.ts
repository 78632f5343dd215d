// WAL checkpoints off the event loop (db/wal-checkpointer.ts): the WAL stays bounded under sustained writes
// whether the worker copies it back or, once the worker is stopped (or cannot start: Node running the .ts
// sources), the writer does; nothing written is lost. Sizes are asserted, never times.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteHandle } from './driver.ts';
import { openDatabase, type OpenedDatabase, type OpenOptions } from './open.ts';
import { checkpointWalFile } from './wal-checkpoint.ts';

const isBun = typeof process.versions.bun === 'string';
/** a WAL frame: its 24-byte header and a 4 KiB page; the file starts with a 32-byte header */
const FRAME_BYTES = 24 + 4096;
const RESTART = 100;
const HARD_BOUND = 400;
const FALLBACK = 150;

let dir: string;
let db: OpenedDatabase | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'galley-ckpt-'));
});
afterEach(async () => {
  await db?.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function open(checkpoints: OpenOptions['checkpoints'] = {}): Promise<OpenedDatabase> {
  db = openDatabase({
    file: join(dir, 'data.db'),
    synchronous: 'FULL',
    busyTimeoutMs: 1000,
    checkpoints: { startAfterCommits: 1, restartFrames: RESTART, hardBoundFrames: HARD_BOUND, fallbackFrames: FALLBACK, ...checkpoints },
  });
  await db.writer.run(async (tx) => {
    await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, v BLOB)`.execute(tx.db);
    await sql`CREATE INDEX t_k ON t (k)`.execute(tx.db);
  });
  return db;
}

/** The longest the WAL has been since it was created, in frames (SQLite reuses the file from its start). */
const walFrames = (): number => Math.max(0, Math.ceil((statSync(join(dir, 'data.db-wal')).size - 32) / FRAME_BYTES));

/** `commits` groups of 4 rows of ~1.5 KiB, random keys: a few frames each, ~`commits` × 3 frames in all. */
async function writeSustained(target: OpenedDatabase, commits: number, from = 0): Promise<number> {
  let longest = 0;
  for (let i = 0; i < commits; i++) {
    await Promise.all(
      Array.from({ length: 4 }, (_, j) =>
        target.writer.run((tx) => sql`INSERT INTO t (id, k, v) VALUES (${from + i * 4 + j}, ${Math.random().toString(36)}, randomblob(1500))`.execute(tx.db)),
      ),
    );
    longest = Math.max(longest, walFrames());
  }
  return longest;
}

async function writerAutocheckpoint(target: OpenedDatabase): Promise<number> {
  return target.writer.run(async (tx) => Number(Object.values((await sql.raw<Record<string, unknown>>('PRAGMA wal_autocheckpoint').execute(tx.db)).rows[0]!)[0]));
}

describe('WAL checkpoints', () => {
  it('keep the WAL bounded under sustained writes, and every row is there after a reopen', async () => {
    const target = await open();
    const longest = await writeSustained(target, 1500);
    // ~10 times the bound went through the WAL; a commit in flight may add its frames past it
    expect(target.writer.stats().commits).toBeGreaterThan(1500);
    expect(longest).toBeLessThanOrEqual(2 * HARD_BOUND);
    if (isBun) {
      // the worker copied the WAL back and held the writer for the last frames, so the WAL started again
      const stats = target.checkpointer.stats();
      expect(stats.mode).toBe('worker');
      expect(stats.checkpoints).toBeGreaterThan(1);
      expect(stats.holds).toBeGreaterThanOrEqual(1);
      expect(await writerAutocheckpoint(target)).toBe(HARD_BOUND);
    } else {
      // no worker loads from the .ts sources under Node: the writer checkpoints itself, as before
      expect(target.checkpointer.stats().mode).toBe('inline');
      expect(await writerAutocheckpoint(target)).toBe(FALLBACK);
    }
    await target.close();
    db = undefined;
    // close() waited for the worker's thread to end
    expect(target.checkpointer.stats()).toMatchObject({ mode: 'stopped', threads: 0 });
    const check = openSqliteHandle(join(dir, 'data.db'));
    try {
      expect(check.prepare('SELECT count(*) AS n FROM t').all()).toEqual([{ n: 6000 }]);
      expect(check.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }]);
    } finally {
      check.close();
    }
  }, 120_000);

  it('fall back to the writer once the worker is stopped: the WAL stays within the writer’s own bound', async () => {
    const target = await open();
    await writeSustained(target, 50);
    await target.checkpointer.stop();
    expect(target.checkpointer.stats().mode).toBe('stopped');
    expect(await writerAutocheckpoint(target)).toBe(FALLBACK);
    const checkpointsBefore = target.checkpointer.stats().checkpoints;
    // the WAL emptied and cut to nothing (no write is running), so its size shows how long it gets from here
    expect(checkpointWalFile(join(dir, 'data.db'), 1000).busy).toBe(false);
    expect(walFrames()).toBe(0);
    const longest = await writeSustained(target, 1000, 1_000_000);
    expect(longest).toBeLessThanOrEqual(2 * FALLBACK);
    // no worker started again
    expect(target.checkpointer.stats()).toMatchObject({ mode: 'stopped', checkpoints: checkpointsBefore });
  }, 120_000);

  it('start no worker before `startAfterCommits` commits: the writer checkpoints itself, as before', async () => {
    const target = await open({ startAfterCommits: 1_000_000 });
    await writeSustained(target, 20);
    expect(target.checkpointer.stats()).toMatchObject({ mode: 'idle', starts: 0 });
    expect(await writerAutocheckpoint(target)).toBe(FALLBACK);
  });

  it.skipIf(!isBun)('stop the worker once no commit came for `idleStopMs`, and start one again on the next commits', async () => {
    const target = await open({ idleStopMs: 50 });
    await writeSustained(target, 20);
    expect(target.checkpointer.stats().starts).toBe(1);
    // no timing asserted: wait until the idle worker has gone
    while (target.checkpointer.stats().mode !== 'idle') await new Promise((r) => setTimeout(r, 20));
    expect(await writerAutocheckpoint(target)).toBe(FALLBACK);
    await writeSustained(target, 5, 1_000_000);
    expect(target.checkpointer.stats().starts).toBe(2);
  });

  it.skipIf(!isBun)('hold no write back while a reader keeps the WAL from being copied back, and catch up after it', async () => {
    const target = await open();
    await writeSustained(target, 20);
    const reader = openSqliteHandle(join(dir, 'data.db'));
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM t').all(); // its snapshot pins the WAL from here
      await writeSustained(target, 100, 1_000_000); // a hold asked for before the reader began has ended by now
      const holdsBefore = target.checkpointer.stats().holds;
      const longest = await writeSustained(target, 400, 2_000_000);
      expect(target.checkpointer.stats().holds).toBe(holdsBefore);
      expect(longest).toBeGreaterThan(HARD_BOUND); // nobody could copy it back past the reader
      reader.exec('COMMIT');
    } finally {
      reader.close();
    }
    const holdsAfterReader = target.checkpointer.stats().holds;
    await writeSustained(target, 500, 3_000_000);
    expect(target.checkpointer.stats().holds).toBeGreaterThan(holdsAfterReader);
  }, 120_000);
});
