/**
 * The reader worker's entry point: costly client-driven reads run here, on their own read-only connection
 * (WAL lets it read beside the writer), so the thread that answers requests never waits on them.
 * A separate entry point of the compiled binary (scripts/build.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteHandle } from './driver.ts';

export interface ReadAsideInit {
  file: string;
  busyTimeoutMs: number;
}

export interface ReadAsideJob {
  id: number;
  sql: string;
  params: readonly unknown[];
}

export type ReadAsideReply =
  | { ready: true }
  | { id: number; rows: Record<string, unknown>[] }
  | { id: number; error: { message: string; code?: string } };

const init = workerData as ReadAsideInit;
const handle = openSqliteHandle(init.file);
handle.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(init.busyTimeoutMs))}`);
handle.exec('PRAGMA query_only = ON');

// Tells the main thread this runtime could load the worker (else reads stay on its own thread).
parentPort?.postMessage({ ready: true } satisfies ReadAsideReply);

parentPort?.on('message', (job: ReadAsideJob) => {
  try {
    const rows = handle.prepare(job.sql).all(job.params);
    parentPort!.postMessage({ id: job.id, rows } satisfies ReadAsideReply);
  } catch (err) {
    const e = err as { message?: unknown; code?: unknown };
    const error = { message: String(e?.message ?? err), code: typeof e?.code === 'string' ? e.code : undefined };
    parentPort!.postMessage({ id: job.id, error } satisfies ReadAsideReply);
  }
});
