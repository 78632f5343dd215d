// The backup child (run-backup-child.ts, backup-child.ts) from the parent's side: the whole archive of a data dir
// whose data.db is a WAL database with a connection open here (paced copy, storage staged, packed), its progress
// and staged lines; a child stopped by the caller during the copy or during the pack, or silent too long, is
// killed and answered as a failure. Bun runs the child from the .ts sources. Node cannot, so under Node the
// answer says why, and library mode's way (the package's .js, `node -e`) is run on a build of these files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { extract } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteHandle, type SqliteHandle } from '../db/driver.ts';
import type { ArchiveJob, BackupProgress } from './archive-job.ts';
import { archiveInChild } from './run-backup-child.ts';

const BUN = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ROWS = 400;
let dir = '';
let db: SqliteHandle;
let jobs = 0;

/** A job writing `<name>.partial` from a fresh staging folder. */
function job(name: string): ArchiveJob {
  const staging = join(dir, 'backups', `.tmp-${name}-${jobs++}`);
  mkdirSync(staging, { recursive: true });
  return { dir, staging, partial: join(dir, 'backups', `${name}.tar.gz.partial`), busyTimeoutMs: 5000, pacedCopy: true, s3Files: false };
}

/** This process's children running the backup child (Linux /proc). */
function backupChildren(): number[] {
  return readdirSync('/proc')
    .filter((name) => {
      if (!/^\d+$/.test(name)) return false;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('runBackupChild');
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Extracts an archive and answers its row count and manifest. */
async function readArchive(archive: string): Promise<{ rows: unknown; manifest: { checksums: Record<string, unknown>; counts: { files: number } }; stored: string }> {
  const out = mkdtempSync(join(tmpdir(), 'galley-backup-child-out-'));
  try {
    await extract({ file: archive, cwd: out });
    const copy = openSqliteHandle(join(out, 'data.db'));
    try {
      return {
        rows: copy.prepare('SELECT count(*) AS n FROM t').all(),
        manifest: JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')),
        stored: readFileSync(join(out, 'storage', 'c1', 'r1', 'a.txt'), 'utf8'),
      };
    } finally {
      copy.close();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'galley-backup-child-'));
  mkdirSync(join(dir, 'storage', 'c1', 'r1'), { recursive: true });
  writeFileSync(join(dir, 'storage', 'c1', 'r1', 'a.txt'), 'a stored file');
  db = openSqliteHandle(join(dir, 'data.db'));
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA wal_autocheckpoint = 0'); // the last rows stay in the WAL: the copy must lay them over the main file
  db.exec('CREATE TABLE t (b BLOB)');
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS}) INSERT INTO t SELECT randomblob(100000) FROM n`);
});

// kept open until the end: the server's connection in this process keeps its locks while the child copies
afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!BUN)('a backup in a child process (Bun)', () => {
  it('archives a WAL database as one point in time (paced copy) with the storage tree; progress, staged, then done', async () => {
    const j = job('whole');
    const phases: string[] = [];
    const order: string[] = [];
    const outcome = await archiveInChild(j, {
      onProgress: (p: BackupProgress) => void (phases.at(-1) !== p.phase && phases.push(p.phase)),
      onStaged: () => order.push('staged'),
    });
    order.push('answered');
    expect(outcome).toMatchObject({ started: true, result: { ok: true, snapshots: { 'data.db': { method: 'paced-copy' } } } });
    if (!outcome.started || !outcome.result.ok) return;
    expect(phases).toEqual(['snapshot', 'files', 'checksums', 'archive']);
    expect(order).toEqual(['staged', 'answered']);
    expect(outcome.result.size).toBe(statSync(j.partial).size);
    expect(existsSync(j.staging)).toBe(false); // the child removed its staging folder
    const archived = await readArchive(j.partial);
    expect(archived.rows).toEqual([{ n: ROWS }]);
    expect(archived.stored).toBe('a stored file');
    expect(Object.keys(archived.manifest.checksums).sort()).toEqual(['data.db', 'storage/c1/r1/a.txt']);
    expect(archived.manifest).toEqual(outcome.result.manifest);
    expect(backupChildren()).toEqual([]);
    rmSync(j.partial);
  });

  it.each([
    ['during the copy', (j: ArchiveJob) => (statSync(join(j.staging, 'data.db'), { throwIfNoEntry: false })?.size ?? 0) > 0],
    ['during the pack', (j: ArchiveJob) => (statSync(j.partial, { throwIfNoEntry: false })?.size ?? 0) > 0],
  ])('a stop (AbortSignal) %s kills the child and answers a failure', async (_when, under) => {
    const stop = new AbortController();
    const j = job('stopped');
    const answer = archiveInChild(j, { signal: stop.signal });
    for (let i = 0; i < 5000 && !under(j); i++) await new Promise((r) => setTimeout(r, 2));
    expect(under(j)).toBe(true);
    stop.abort();
    expect(await answer).toEqual({ started: true, result: { ok: false, message: 'the backup was stopped' } });
    expect(backupChildren()).toEqual([]);
    rmSync(j.staging, { recursive: true, force: true });
    rmSync(j.partial, { force: true });
  });

  it('a child silent past silenceMs is killed and answered as a failure', async () => {
    const j = job('silent');
    const outcome = await archiveInChild(j, { silenceMs: 1 });
    expect(outcome).toEqual({ started: true, result: { ok: false, message: 'the backup process said nothing for 0.001 s and was stopped' } });
    expect(backupChildren()).toEqual([]);
    rmSync(j.staging, { recursive: true, force: true });
    rmSync(j.partial, { force: true });
  });
});

describe.skipIf(BUN)('under Node', () => {
  it('running the .ts sources: no child can start, and the answer says why', async () => {
    const j = job('none');
    expect(await archiveInChild(j)).toEqual({ started: false, reason: 'node cannot run the .ts sources in a child process' });
    rmSync(j.staging, { recursive: true, force: true });
  });

  it("library mode (the package's .js): createBackupArchive in a Node process archives in a child started with `node -e`", async () => {
    // create-archive.ts and backup-child.ts built to .js side by side, as the package's dist/backups/ holds them
    const build = mkdtempSync(join(tmpdir(), 'galley-backup-child-build-'));
    try {
      symlinkSync(join(ROOT, 'node_modules'), join(build, 'node_modules'));
      const bun = join(ROOT, 'node_modules', '.bin', 'bun');
      const entries = ['create-archive.ts', 'backup-child.ts'].map((f) => join(ROOT, 'server', 'src', 'backups', f));
      const built = spawnSync(bun, ['build', ...entries, '--target=node', '--format=esm', '--splitting', '--outdir', join(build, 'dist'), '--external', 'better-sqlite3', '--external', 'tar'], { encoding: 'utf8' });
      expect(built.status, built.stderr).toBe(0);
      const out = join(dir, 'backups', 'library.tar.gz');
      const script = `import { createBackupArchive } from ${JSON.stringify(pathToFileURL(join(build, 'dist', 'create-archive.js')).href)};
        const made = await createBackupArchive({ dir: ${JSON.stringify(dir)}, out: ${JSON.stringify(out)}, pacedSnapshot: 'child-process' });
        console.log(JSON.stringify({ packedOn: made.packedOn, snapshots: made.snapshots, size: made.size }));`;
      const ran = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: build, timeout: 60_000 });
      expect(ran.status, ran.stderr).toBe(0);
      expect(JSON.parse(ran.stdout.trim().split('\n').pop()!)).toEqual({ packedOn: 'child-process', snapshots: { 'data.db': { method: 'paced-copy' } }, size: statSync(out).size });
      const archived = await readArchive(out);
      expect(archived.rows).toEqual([{ n: ROWS }]);
      expect(archived.stored).toBe('a stored file');
      expect(readdirSync(join(dir, 'backups')).filter((n) => n.startsWith('.') || n.endsWith('.partial'))).toEqual([]); // no staging, no marker
      rmSync(out);
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  }, 60_000);
});
