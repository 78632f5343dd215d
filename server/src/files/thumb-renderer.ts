/**
 * Where thumbnails are rendered: one worker thread (started on first use, stopped when idle), or, when no
 * worker can start here, the main thread. Either way one job at a time, the rest queued, so a burst of
 * thumbnail requests cannot take every core or all memory.
 */
import { Worker } from 'node:worker_threads';
import type { RenderedThumb } from './render-thumbnail.ts';
import type { ThumbSize } from './thumb-size.ts';
import type { ThumbJob, ThumbJobResult } from './thumb-worker.ts';

const IDLE_STOP_MS = 30_000;
/** A job waiting longer than this fails (the caller then serves the original, as PocketBase does). */
const MAX_WAIT_MS = 60_000;

/**
 * Where the worker's module is: beside this file, with this file's extension (.ts from source, .js in the
 * built npm package); in the compiled binary, at its path under the build's root (scripts/build.ts adds it as
 * an entry point), resolved from the binary's URL.
 */
const OWN_EXTENSION = import.meta.url.endsWith('.js') ? '.js' : '.ts';
const WORKER_URLS = [new URL(`./thumb-worker${OWN_EXTENSION}`, import.meta.url), new URL('./server/src/files/thumb-worker.ts', import.meta.url)];

interface RenderWorker {
  thread: Worker;
  /** the module loaded (it said so); a worker that dies before that cannot run here at all */
  loaded: boolean;
  dead: boolean;
  jobs: Map<number, { resolve: (r: RenderedThumb) => void; reject: (e: Error) => void }>;
}

class WorkerStartError extends Error {}

/** One Galley's thumbnail renderer (held as `core.thumbnails.renderer`): its worker, its queue, its idle timer. */
export interface ThumbRenderer {
  /** Render one thumbnail; jobs run one after another, in a worker thread when one can start. */
  renderThumbnailQueued(source: Uint8Array, size: ThumbSize, format: string): Promise<RenderedThumb>;
  /** Which path renders thumbnails here (for tests and logs). */
  describeThumbnailRenderer(): 'worker' | 'main thread' | 'not started';
  /** End the worker and its idle timer (close()); a job still running fails, and its request serves the original. */
  stop(): Promise<void>;
}

export function createThumbRenderer(): ThumbRenderer {
  let current: RenderWorker | undefined;
  let workerUrlIndex = 0;
  let workerUnusable = false;
  let nextId = 1;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const startWorker = (url: URL): RenderWorker => {
    // A decoder that runs away with memory ends the worker, not the server.
    const thread = new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: 512 } });
    thread.unref();
    const self: RenderWorker = { thread, loaded: false, dead: false, jobs: new Map() };
    thread.on('message', (msg: ThumbJobResult) => {
      if ('ready' in msg) {
        self.loaded = true;
        return;
      }
      const job = self.jobs.get(msg.id);
      if (!job) return;
      self.jobs.delete(msg.id);
      if ('error' in msg) job.reject(new Error(msg.error));
      else job.resolve({ bytes: msg.bytes, contentType: msg.contentType });
    });
    // 'error' and then 'exit' both arrive for one death; only this worker's own jobs fail.
    const fail = (err: Error) => {
      if (self.dead) return;
      self.dead = true;
      if (current === self) current = undefined;
      const error = self.loaded ? err : new WorkerStartError(err.message);
      for (const job of self.jobs.values()) job.reject(error);
      self.jobs.clear();
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`thumbnail worker exited with code ${code}`)));
    return self;
  };

  const renderInWorker = (source: Uint8Array, size: ThumbSize, format: string): Promise<RenderedThumb> => {
    if (idleTimer) clearTimeout(idleTimer);
    let w: RenderWorker;
    try {
      w = current ??= startWorker(WORKER_URLS[workerUrlIndex]!);
    } catch (err) {
      return Promise.reject(new WorkerStartError(err instanceof Error ? err.message : String(err)));
    }
    const id = nextId++;
    const done = new Promise<RenderedThumb>((resolve, reject) => w.jobs.set(id, { resolve, reject }));
    // A copy goes to the worker: the caller may still need `source` (main-thread fallback).
    const copy = source.slice();
    w.thread.postMessage({ id, source: copy, size, format } satisfies ThumbJob, [copy.buffer]);
    return done.finally(() => {
      if (stopped) return;
      idleTimer = setTimeout(() => {
        if (w.jobs.size === 0 && current === w) {
          current = undefined;
          w.dead = true;
          void w.thread.terminate();
        }
      }, IDLE_STOP_MS);
      idleTimer.unref?.();
    });
  };

  return {
    renderThumbnailQueued(source, size, format) {
      const queuedAt = Date.now();
      const run = async () => {
        if (stopped) throw new Error('the server is shutting down');
        if (Date.now() - queuedAt > MAX_WAIT_MS) throw new Error('thumbnail queue wait exceeded');
        while (!workerUnusable) {
          try {
            return await renderInWorker(source, size, format);
          } catch (err) {
            if (!(err instanceof WorkerStartError)) throw err;
            if (++workerUrlIndex >= WORKER_URLS.length) workerUnusable = true;
          }
        }
        const { renderThumbnail } = await import('./render-thumbnail.ts');
        return renderThumbnail(source, size, format);
      };
      const result = queue.then(run, run);
      queue = result.catch(() => {});
      return result;
    },
    describeThumbnailRenderer() {
      if (workerUnusable) return 'main thread';
      return current?.loaded ? 'worker' : 'not started';
    },
    async stop() {
      stopped = true;
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = undefined;
      const w = current;
      current = undefined;
      if (w) await w.thread.terminate();
      await queue;
    },
  };
}
