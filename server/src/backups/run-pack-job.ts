/**
 * Runs one pack job (pack-job.ts) on a worker thread of its own, started for the job and gone after it, its
 * progress relayed; where no worker can start (Node running the .ts sources) it runs on the calling thread.
 * A running server packs in its backup child process instead (backup-child.ts), where nothing else runs.
 */
import { Worker } from 'node:worker_threads';
import type { PackJob, PackProgress, PackResult } from './pack-job.ts';

const OWN_EXTENSION = import.meta.url.endsWith('.js') ? '.js' : '.ts';
/** Beside this file from source or the npm package; in the compiled binary, under the build's root. */
const WORKER_URLS = [new URL(`./pack-worker${OWN_EXTENSION}`, import.meta.url), new URL('./server/src/backups/pack-worker.ts', import.meta.url)];

type WorkerMessage = { ready: true } | { progress: PackProgress } | { result: PackResult };

const STOPPED: PackResult = { ok: false, message: 'the backup was stopped' };

/** Resolves with the job's result; 'unloadable' when the worker module cannot load here. `signal` terminates it. */
function runOnWorker(url: URL, job: PackJob, onProgress: (p: PackProgress) => void, signal?: AbortSignal): Promise<PackResult | 'unloadable'> {
  return new Promise((resolve) => {
    let loaded = false;
    let result: PackResult | undefined;
    let thread: Worker;
    try {
      thread = new Worker(url, { workerData: job });
    } catch {
      resolve('unloadable');
      return;
    }
    // the answer waits for the exit: the caller removes the partial archive after the worker's last write
    const onAbort = () => {
      result ??= STOPPED;
      void thread.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    thread.on('message', (msg: WorkerMessage) => {
      if ('ready' in msg) loaded = true;
      else if ('progress' in msg) onProgress(msg.progress);
      else result ??= msg.result;
    });
    thread.on('error', (err) => {
      if (!loaded) return;
      result ??= { ok: false, message: err.message };
    });
    thread.on('exit', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (!loaded && result !== STOPPED) resolve('unloadable');
      else resolve(result ?? { ok: false, message: `backup pack worker exited with code ${code}` });
    });
  });
}

/** Where the last job ran (tests: the pack is off the event loop wherever a worker can start). */
export type PackedOn = 'worker' | 'inline';

export async function packArchive(
  job: PackJob,
  onProgress: (p: PackProgress) => void = () => undefined,
  signal?: AbortSignal,
): Promise<{ result: PackResult; packedOn: PackedOn }> {
  for (const url of WORKER_URLS) {
    if (signal?.aborted) return { result: STOPPED, packedOn: 'worker' };
    const outcome = await runOnWorker(url, job, onProgress, signal);
    if (outcome !== 'unloadable') return { result: outcome, packedOn: 'worker' };
  }
  // tar is loaded here, by the first backup, not at every start (the worker loads it itself)
  const { runPackJob } = await import('./pack-job.ts');
  return { result: await runPackJob(job, onProgress, signal), packedOn: 'inline' };
}
