/**
 * Costly client-driven reads run aside, on a reader worker with its own read-only connection, with a
 * deadline: bun:sqlite and better-sqlite3 run a statement to its end on the calling thread and neither can
 * interrupt it, so a slow filter on the main thread would hold up every other request (issue 18).
 * One worker, one read at a time, the rest queued. A read running past the deadline fails with a clear 400
 * and its worker is replaced (the old thread finishes its statement and exits: the cost limits bound how
 * long); a read still queued at the deadline fails with a 503.
 * When no worker can start here (Node running the .ts sources), reads run on the calling thread as before.
 */
import { Worker } from 'node:worker_threads';
import { GalleyError } from '../errors.ts';
import type { ReadAsideInit, ReadAsideJob, ReadAsideReply } from './read-aside-worker.ts';

export interface ReadAsideOptions extends ReadAsideInit {
  /** How long a read may wait and run before it is refused. */
  deadlineMs: number;
  /** Reads waiting at once beyond which new ones are refused (503). */
  maxQueued?: number;
  /** Replaced workers still finishing a statement beyond which new reads are refused (503). */
  maxStragglers?: number;
}

export interface ReadAside {
  /** Run one read statement aside; `inline` runs it here when no worker can. */
  run(sql: string, params: readonly unknown[], inline: () => Promise<Record<string, unknown>[]>): Promise<Record<string, unknown>[]>;
  /** 'worker' once a worker answered, 'inline' when none can start here. */
  readonly mode: 'worker' | 'inline' | 'not started';
  close(): Promise<void>;
}

const IDLE_STOP_MS = 60_000;
const OWN_EXTENSION = import.meta.url.endsWith('.js') ? '.js' : '.ts';
/** Beside this file from source or the npm package; in the compiled binary, under the build's root. */
const WORKER_URLS = [new URL(`./read-aside-worker${OWN_EXTENSION}`, import.meta.url), new URL('./server/src/db/read-aside-worker.ts', import.meta.url)];

interface Job {
  readonly id: number;
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly inline: () => Promise<Record<string, unknown>[]>;
  readonly resolve: (rows: Record<string, unknown>[]) => void;
  readonly reject: (err: Error) => void;
  timer?: ReturnType<typeof setTimeout>;
  settled: boolean;
}

interface Reader {
  thread: Worker;
  loaded: boolean;
  dead: boolean;
  job: Job | undefined;
}

export function createReadAside(opts: ReadAsideOptions): ReadAside {
  const maxQueued = opts.maxQueued ?? 64;
  const maxStragglers = opts.maxStragglers ?? 2;
  const queue: Job[] = [];
  let reader: Reader | undefined;
  let urlIndex = 0;
  let unusable = false;
  let stragglers = 0;
  let nextId = 1;
  let closed = false;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  const tooSlow = () =>
    new GalleyError('invalid', `filter is too complex: the query did not finish within ${opts.deadlineMs / 1000} s and was stopped`);

  const busy = () => new GalleyError('unavailable', 'too many complex queries are running; try again later', { retryAfter: 1 });

  const settle = (job: Job, outcome: { rows: Record<string, unknown>[] } | { error: Error }) => {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    if ('rows' in outcome) job.resolve(outcome.rows);
    else job.reject(outcome.error);
  };

  const startReader = (): Reader => {
    const thread = new Worker(WORKER_URLS[urlIndex]!, { workerData: { file: opts.file, busyTimeoutMs: opts.busyTimeoutMs } satisfies ReadAsideInit });
    thread.unref();
    const self: Reader = { thread, loaded: false, dead: false, job: undefined };
    thread.on('message', (msg: ReadAsideReply) => {
      if ('ready' in msg) {
        self.loaded = true;
        pump();
        return;
      }
      const job = self.job;
      if (!job || job.id !== msg.id) return;
      self.job = undefined;
      if ('rows' in msg) settle(job, { rows: msg.rows });
      else settle(job, { error: Object.assign(new Error(msg.error.message), { code: msg.error.code }) });
      pump();
    });
    // 'error' and then 'exit' both arrive for one death: handle it once
    const fail = (err: Error) => {
      if (self.dead) return;
      self.dead = true;
      if (reader === self) reader = undefined;
      const job = self.job;
      self.job = undefined;
      if (!self.loaded && !closed) {
        // this runtime cannot load the worker from here: try the next place, else read inline
        if (++urlIndex >= WORKER_URLS.length) unusable = true;
        if (job && !job.settled) queue.unshift(job);
      } else if (job) settle(job, { error: err });
      pump();
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`read worker exited with code ${code}`)));
    return self;
  };

  /** Hand the next queued read to the worker (or run it inline when no worker can start). */
  const pump = () => {
    while (queue.length > 0 && (queue[0]!.settled || unusable)) {
      const job = queue.shift()!;
      if (!job.settled) job.inline().then((rows) => settle(job, { rows }), (error: Error) => settle(job, { error }));
    }
    if (closed) return;
    if (queue.length === 0) return scheduleIdleStop();
    clearTimeout(idleTimer);
    // the worker's start is not the reads' time: their clocks start once it is ready
    if (reader?.loaded) for (const waiting of queue) waiting.timer ??= setTimeout(() => expire(waiting), opts.deadlineMs);
    if (reader?.job) return;
    try {
      reader ??= startReader();
    } catch {
      unusable = true;
      return pump();
    }
    if (!reader.loaded) return;
    for (const waiting of queue) waiting.timer ??= setTimeout(() => expire(waiting), opts.deadlineMs);
    const job = queue.shift()!;
    clearTimeout(job.timer);
    job.timer = setTimeout(() => expire(job), opts.deadlineMs);
    reader.job = job;
    reader.thread.postMessage({ id: job.id, sql: job.sql, params: job.params } satisfies ReadAsideJob);
  };

  /** A worker left without reads for a while is stopped (its thread and connection); the next read starts one. */
  const scheduleIdleStop = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      const r = reader;
      if (!r || r.job || queue.length > 0) return;
      reader = undefined;
      r.dead = true;
      void r.thread.terminate();
    }, IDLE_STOP_MS);
    idleTimer.unref?.();
  };

  /** At the deadline: the read fails; a worker still on it is replaced and left to finish alone. */
  const expire = (job: Job) => {
    const r = reader;
    const running = r?.job === job;
    settle(job, { error: running ? tooSlow() : busy() });
    if (r && running) {
      reader = undefined;
      r.job = undefined;
      stragglers++;
      r.thread.removeAllListeners('message');
      r.thread.removeAllListeners('error');
      r.thread.removeAllListeners('exit');
      r.thread.on('error', () => {});
      r.thread.once('exit', () => stragglers--);
      void r.thread.terminate();
    }
    pump();
  };

  return {
    get mode() {
      if (unusable) return 'inline';
      return reader?.loaded ? 'worker' : 'not started';
    },
    run(sql, params, inline) {
      if (unusable) return inline();
      if (closed) return Promise.reject(new GalleyError('unavailable', 'the server is shutting down'));
      if (queue.length >= maxQueued || stragglers >= maxStragglers) {
        return Promise.reject(busy());
      }
      return new Promise((resolve, reject) => {
        const job: Job = { id: nextId++, sql, params, inline, resolve, reject, settled: false };
        queue.push(job);
        pump();
      });
    },
    async close() {
      closed = true;
      clearTimeout(idleTimer);
      for (const job of queue.splice(0)) settle(job, { error: new GalleyError('unavailable', 'the server is shutting down') });
      const r = reader;
      reader = undefined;
      if (r) {
        if (r.job) settle(r.job, { error: new GalleyError('unavailable', 'the server is shutting down') });
        r.thread.removeAllListeners('exit');
        r.thread.removeAllListeners('error');
        r.thread.on('error', () => {});
        // a worker inside a statement exits only when it ends: do not hold up shutdown for it
        if (r.job) void r.thread.terminate();
        else await r.thread.terminate();
      }
    },
  };
}
