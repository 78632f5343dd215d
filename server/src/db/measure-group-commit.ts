/**
 * A quick local measurement of the writer (not a test): N single-row inserts of ~500-byte rows issued
 * concurrently through writer.run (group commit) versus one transaction per insert, in the same run.
 * Run: `bun server/src/db/measure-group-commit.ts` or `node --experimental-strip-types …` (Node ≥ 22.6).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { randomString } from '../lib/ids.ts';
import { openSqliteHandle } from './driver.ts';
import { openDatabase } from './open.ts';

export interface GroupCommitFigures {
  rows: number;
  synchronous: 'FULL' | 'NORMAL';
  groupCommitRowsPerSec: number;
  commits: number;
  writerOneTxPerInsertRowsPerSec: number;
  bareOneTxPerInsertRowsPerSec: number;
}

export async function measureGroupCommit(rows = 5000, synchronous: 'FULL' | 'NORMAL' = 'FULL'): Promise<GroupCommitFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'galley-bench-'));
  const body = randomString(500);
  try {
    const db = openDatabase({ file: join(dir, 'data.db'), synchronous, busyTimeoutMs: 5000 });
    await db.writer.run((tx) => sql`CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL)`.execute(tx.db));
    const insert = (id: string) => db.writer.run((tx) => tx.db.insertInto('t').values({ id, body }).execute());

    const commitsBefore = db.writer.stats().commits;
    let t = performance.now();
    await Promise.all(Array.from({ length: rows }, (_, i) => insert(`g${i}`)));
    const grouped = rows / ((performance.now() - t) / 1000);
    const commits = db.writer.stats().commits - commitsBefore;

    t = performance.now();
    for (let i = 0; i < rows; i++) await insert(`s${i}`); // each waits for its own COMMIT
    const sequential = rows / ((performance.now() - t) / 1000);
    await db.close();

    // The same on a bare handle: autocommit INSERT, no Kysely, no writer.
    const bare = openSqliteHandle(join(dir, 'bare.db'));
    bare.exec('PRAGMA journal_mode = WAL');
    bare.exec(`PRAGMA synchronous = ${synchronous}`);
    bare.exec('CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL)');
    const stmt = bare.prepare('INSERT INTO t (id, body) VALUES (?, ?)');
    t = performance.now();
    for (let i = 0; i < rows; i++) stmt.run([`b${i}`, body]);
    const bareRate = rows / ((performance.now() - t) / 1000);
    bare.close();

    return {
      rows,
      synchronous,
      groupCommitRowsPerSec: Math.round(grouped),
      commits,
      writerOneTxPerInsertRowsPerSec: Math.round(sequential),
      bareOneTxPerInsertRowsPerSec: Math.round(bareRate),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const mode = (process.argv[2] ?? 'FULL') as 'FULL' | 'NORMAL';
  console.log(JSON.stringify(await measureGroupCommit(Number(process.argv[3] ?? 5000), mode)));
}
