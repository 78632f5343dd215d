/**
 * Runs one database job (db-jobs.ts) on a worker thread of its own, started for the job and gone after it;
 * where no worker can start (Node running the .ts sources) it runs on the calling thread. A running server's
 * backup runs its job in a child process instead (run-backup-child.ts).
 */
import { Worker } from 'node:worker_threads';
import { runDbJob, type DbInspection, type DbJob, type DbJobResult } from './db-jobs.ts';

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

/** Runs `job` on a worker of its own, or inline where none can start. */
export async function runDbJobAside(job: DbJob): Promise<DbJobResult> {
  for (const url of WORKER_URLS) {
    const outcome = await runOnWorker(url, job);
    if (outcome !== 'unloadable') return outcome;
  }
  return runDbJob(job);
}

/**
 * Snapshots each target with `VACUUM INTO`, then integrity_check, the applied schema's hash and records per
 * collection of each `inspect` file, on a worker; answers the inspections by file.
 */
export async function snapshotAndInspect(
  snapshots: Array<{ source: string; target: string }>,
  inspect: string[],
  busyTimeoutMs = 5000,
): Promise<Record<string, DbInspection>> {
  const result = await runDbJobAside({ snapshots, inspect, busyTimeoutMs });
  if (!result.ok) throw new Error(result.message);
  return result.inspections;
}
