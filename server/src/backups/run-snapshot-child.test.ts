// The snapshot child (run-snapshot-child.ts, snapshot-child.ts) from the parent's side: a paced copy of a WAL
// database taken in a child process, its progress lines, and a child stopped by the caller or by its silence is
// killed and answered as a failure. Bun only runs the child from the .ts sources; under Node the answer says why.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteHandle } from '../db/driver.ts';
import { snapshotInChild } from './run-snapshot-child.ts';

const BUN = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
let dir = '';
const source = () => join(dir, 'data.db');
const job = (target: string) => ({ snapshots: [{ source: source(), target }], inspect: [target], busyTimeoutMs: 5000, pacedCopy: true });

/** This process's children running the snapshot child (Linux /proc). */
function snapshotChildren(): number[] {
  return readdirSync('/proc').filter((name) => {
    if (!/^\d+$/.test(name)) return false;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('runSnapshotChild');
    } catch {
      return false;
    }
  }).map(Number);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'galley-snapshot-child-'));
  const db = openSqliteHandle(source());
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('CREATE TABLE t (b BLOB)');
  db.exec('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) INSERT INTO t SELECT randomblob(100000) FROM n');
  // kept open: the copy overlays the WAL's frames and the server's connection in this process keeps its locks
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(!BUN)('a snapshot in a child process (Bun)', () => {
  it('copies a WAL database as one point in time with the paced copy; integrity ok', async () => {
    const outcome = await snapshotInChild(job(join(dir, 'copy.db')));
    expect(outcome).toMatchObject({ started: true, result: { ok: true, snapshots: { [source()]: { method: 'paced-copy' } } } });
    if (!outcome.started || !outcome.result.ok) return;
    expect(outcome.result.inspections[join(dir, 'copy.db')]!.integrity).toBe('ok');
    const copy = openSqliteHandle(join(dir, 'copy.db'));
    try {
      expect(copy.prepare('SELECT count(*) AS n FROM t').all()).toEqual([{ n: 400 }]);
    } finally {
      copy.close();
    }
    expect(snapshotChildren()).toEqual([]);
  });

  it('a stop (AbortSignal) kills the child during the copy and answers a failure', async () => {
    const stop = new AbortController();
    const target = join(dir, 'stopped.db');
    const answer = snapshotInChild(job(target), { signal: stop.signal });
    for (let i = 0; i < 3000 && (statSync(target, { throwIfNoEntry: false })?.size ?? 0) === 0; i++) await new Promise((r) => setTimeout(r, 2));
    stop.abort();
    expect(await answer).toEqual({ started: true, result: { ok: false, message: 'the backup was stopped' } });
    expect(snapshotChildren()).toEqual([]);
    expect(statSync(target).size).toBeLessThan(statSync(source()).size);
  });

  it('a child silent past silenceMs is killed and answered as a failure', async () => {
    const outcome = await snapshotInChild(job(join(dir, 'silent.db')), { silenceMs: 1 });
    expect(outcome).toEqual({ started: true, result: { ok: false, message: 'the snapshot process said nothing for 0.001 s and was stopped' } });
    expect(snapshotChildren()).toEqual([]);
  });
});

describe.skipIf(BUN)('under Node running the .ts sources', () => {
  it('no child can start, and the answer says why', async () => {
    expect(await snapshotInChild(job(join(dir, 'none.db')))).toEqual({ started: false, reason: 'node cannot run the .ts sources in a child process' });
  });
});
