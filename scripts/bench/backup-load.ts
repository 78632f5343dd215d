// The backup row of `npm run bench`: create throughput and latency on a Galley whose data.db holds `sizeBytes`
// (default 1 GB; --backup-size GB), first alone, then while `galley backup create` archives the same data dir
// (a separate process, as an operator runs it). Target (issue 11): no write waits more than 200 ms.
// Standalone: `bun scripts/bench/backup-load.ts [--size GB] [--galley PATH] [--concurrency C] [--seconds S]`.
import { Database } from 'bun:sqlite';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopServer } from './processes.ts';
import { root, startGalley } from './servers.ts';

export interface BackupBenchOptions {
  command: string[];
  tmp: string;
  sizeBytes: number;
  concurrency: number;
  /** seconds of the baseline run (the backup run lasts as long as the backup) */
  baselineSec: number;
}

export interface LoadStats {
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  over200ms: number;
}

export interface BackupBenchResult {
  dbBytes: number;
  archiveBytes: number;
  backupMs: number;
  baseline: LoadStats;
  duringBackup: LoadStats;
}

const BODY = 'x'.repeat(1000);
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function newId(): string {
  let id = '';
  for (const b of randomBytes(15)) id += ID_ALPHABET[b % 36];
  return id;
}

/** Fills the stopped server's data.db with items of ~1 KB until the file reaches `bytes`. */
function growDatabase(file: string, bytes: number): number {
  const db = new Database(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = OFF');
  const insert = db.prepare('INSERT INTO items (id, category, body, created, updated) VALUES (?, ?, ?, ?, ?)');
  const now = new Date().toISOString().replace('T', ' ');
  const batch = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(newId(), `c${i % 50}`, BODY, now, now);
  });
  const size = () => {
    const row = db.prepare('SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()').get() as { n: number };
    return row.n;
  };
  while (size() < bytes) batch(20_000);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const total = size();
  db.close();
  return total;
}

function summarize(latencies: number[], errors: number, ms: number): LoadStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    rps: (latencies.length * 1000) / ms,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted.at(-1) ?? 0,
    over200ms: sorted.filter((l) => l > 200).length,
  };
}

/** `concurrency` loops of POST /api/collections/items/records until `done()`; each latency kept. */
async function createLoad(base: string, concurrency: number, done: () => boolean): Promise<LoadStats> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; !done(); i++) {
        const t = performance.now();
        const res = await fetch(`${base}/api/collections/items/records`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ category: `c${(w + i) % 50}`, body: 'bench' }),
        }).catch(() => undefined);
        if (res?.status === 200) latencies.push(performance.now() - t);
        else errors++;
        await res?.arrayBuffer();
      }
    }),
  );
  return summarize(latencies, errors, performance.now() - started);
}

export async function runBackupBench(o: BackupBenchOptions): Promise<BackupBenchResult> {
  const dir = join(o.tmp, 'galley-backup');
  mkdirSync(dir, { recursive: true });
  const launch = { command: o.command, dir, logDir: o.tmp };
  const first = await startGalley(launch);
  await stopServer(first.proc);
  const dbBytes = growDatabase(join(dir, 'data.db'), o.sizeBytes);
  const server = await startGalley(launch);
  try {
    const until = performance.now() + o.baselineSec * 1000;
    const baseline = await createLoad(server.base, o.concurrency, () => performance.now() > until);
    const started = performance.now();
    const backup = Bun.spawn([...o.command, 'backup', 'create', 'bench.tar.gz', '--dir', dir], { stdout: 'pipe', stderr: 'pipe' });
    let finished = false;
    const exited = backup.exited.then((code) => {
      finished = true;
      return code;
    });
    const duringBackup = await createLoad(server.base, o.concurrency, () => finished);
    const code = await exited;
    const backupMs = performance.now() - started;
    if (code !== 0) throw new Error(`galley backup create failed (${code}): ${await new Response(backup.stderr).text()}`);
    const archiveBytes = statSync(join(dir, 'backups', 'bench.tar.gz')).size;
    return { dbBytes, archiveBytes, backupMs, baseline, duringBackup };
  } finally {
    await stopServer(server.proc);
  }
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

export function formatBackupRow(r: BackupBenchResult): string {
  const side = (s: LoadStats) => `${Math.round(s.rps)} creates/s, p99 ${s.p99Ms.toFixed(1)} ms, max ${s.maxMs.toFixed(0)} ms, ${s.over200ms} over 200 ms${s.errors ? `, ${s.errors} errors` : ''}`;
  return [
    `backup of a ${mb(r.dbBytes)} data.db (archive ${mb(r.archiveBytes)}, ${(r.backupMs / 1000).toFixed(1)} s):`,
    `  creates alone:          ${side(r.baseline)}`,
    `  creates during backup:  ${side(r.duringBackup)}  (target: none over 200 ms)`,
  ].join('\n');
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
  const tmp = mkdtempSync(join(tmpdir(), 'galley-bench-backup-'));
  try {
    const result = await runBackupBench({
      command: [arg('--galley', join(root, 'dist', 'galley'))],
      tmp,
      sizeBytes: Number(arg('--size', '1')) * 1024 ** 3,
      concurrency: Number(arg('--concurrency', '16')),
      baselineSec: Number(arg('--seconds', '5')),
    });
    console.log(formatBackupRow(result));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
