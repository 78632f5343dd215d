/**
 * Runs one database job (db-jobs.ts) on a worker thread of its own, started for the job and gone after it;
 * where no worker can start (Node running the .ts sources) it runs on the calling thread. A running server's
 * paced snapshot runs in a child process instead (run-snapshot-child.ts).
 */
import { Worker } from 'node:worker_threads';
import { runDbJob, type DbInspection, type DbJob, type DbJobResult, type SnapshotMethod } from './db-jobs.ts';
import { snapshotInChild } from './run-snapshot-child.ts';

const OWN_EXTENSION = import.meta.url.endsWith('.js') ? '.js' : '.ts';
/** Beside this file from source or the npm package; in the compiled binary, under the build's root. */
const WORKER_URLS = [new URL(`./snapshot-worker${OWN_EXTENSION}`, import.meta.url), new URL('./server/src/backups/snapshot-worker.ts', import.meta.url)];

/** Resolves with the job's result; 'unloadable' when the worker module cannot load here. */
function runOnWorker(url: URL, job: DbJob): Promise<DbJobResult | 'unloadable'> {
  return new Promise((resolve) => {
    let loaded = false;
    let result: DbJobResult | undefined;
    let thread: Worker;
    try {
      thread = new Worker(url, { workerData: job });
    } catch {
      resolve('unloadable');
      return;
    }
    thread.on('message', (msg: { ready: true } | DbJobResult) => {
      if ('ready' in msg) loaded = true;
      else result = msg;
    });
    thread.on('error', (err) => {
      if (!loaded) return;
      result ??= { ok: false, message: err.message };
    });
    thread.on('exit', (code) => {
      if (!loaded) resolve('unloadable');
      else resolve(result ?? { ok: false, message: `backup worker exited with code ${code}` });
    });
  });
}

async function runAside(job: DbJob): Promise<DbJobResult> {
  for (const url of WORKER_URLS) {
    const outcome = await runOnWorker(url, job);
    if (outcome !== 'unloadable') return outcome;
  }
  return runDbJob(job);
}

/**
 * Where the paced copy runs: `true` on the worker of this process (only where it holds no connection to the
 * databases: the CLI), 'child-process' in a child process (a running server: run-snapshot-child.ts), false
 * not at all (`VACUUM INTO` on the worker).
 */
export type PacedCopyPlace = boolean | 'child-process';

/**
 * Snapshots each target (a consistent copy of its source while writers go on: paced-snapshot.ts, or
 * `VACUUM INTO`), then integrity_check, the applied schema's hash and records per collection of each `inspect`
 * file; all on one worker or child process. Answers the inspections by file and how each snapshot was taken,
 * by source. `signal` stops a child process (killed; the answer is an error).
 */
export async function snapshotAndInspectWithMethods(
  snapshots: Array<{ source: string; target: string }>,
  inspect: string[],
  busyTimeoutMs = 5000,
  pacedCopy: PacedCopyPlace = false,
  signal?: AbortSignal,
): Promise<{ inspections: Record<string, DbInspection>; methods: Record<string, SnapshotMethod> }> {
  let result: DbJobResult;
  if (pacedCopy === 'child-process') {
    const outcome = await snapshotInChild({ snapshots, inspect, busyTimeoutMs, pacedCopy: true }, { signal });
    if (outcome.started) result = outcome.result;
    else {
      result = await runAside({ snapshots, inspect, busyTimeoutMs, pacedCopy: false });
      if (result.ok) for (const s of snapshots) result.snapshots[s.source] = { method: 'vacuum-into', reason: outcome.reason };
    }
  } else result = await runAside({ snapshots, inspect, busyTimeoutMs, pacedCopy });
  if (!result.ok) throw new Error(result.message);
  return { inspections: result.inspections, methods: result.snapshots };
}

/** snapshotAndInspectWithMethods, the inspections only. */
export async function snapshotAndInspect(
  snapshots: Array<{ source: string; target: string }>,
  inspect: string[],
  busyTimeoutMs = 5000,
): Promise<Record<string, DbInspection>> {
  return (await snapshotAndInspectWithMethods(snapshots, inspect, busyTimeoutMs)).inspections;
}
