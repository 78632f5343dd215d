/**
 * data.db's WAL copied back into the main file by a worker thread on a connection of its own (issue 16), instead of
 * inside the writer's COMMIT on the event loop (SQLite's auto-checkpoint: ~13 µs of main-thread CPU per create,
 * amortised, and the event loop stopped for the checkpoint's two fsyncs).
 *
 * The writer counts its commits in shared memory (`noteCommit`, two atomics); the worker sleeps until enough commits
 * have gone by for the WAL to hold about `restartFrames` frames, then runs a PASSIVE checkpoint, which never waits
 * for the writer or a reader (db/wal-checkpointer-worker.ts). SQLite starts the WAL again from its first frame only
 * when a write begins with every frame copied back, which a writer committing all the time never leaves a checkpoint
 * running beside it: so the worker then asks for the writer to be held (`writer.pause()`: queued jobs wait, the event
 * loop does not), copies the frames written meanwhile, and the writer's next BEGIN restarts the WAL.
 *
 * The fallback is SQLite's own: the writer connection keeps `wal_autocheckpoint`, at `hardBoundFrames` while a worker
 * runs (a worker that lags or is stuck: the writer checkpoints itself past it) and at `fallbackFrames` (today's 4000)
 * whenever none runs: before the first `startAfterCommits` commits (short-lived uses of data.db, as the CLI's, never
 * start one), after a worker stopped (idle for `idleStopMs`, died, `stop()`), and where none can start (Node running
 * the .ts sources). Durability is untouched: commits are synced as before (db/wal-sync.ts), a checkpoint syncs the
 * WAL before it copies and the main file after, on any connection.
 */
import { Worker } from 'node:worker_threads';
import type { WalCheckpointerInit, WalCheckpointerReply } from './wal-checkpointer-worker.ts';
import type { LogFn } from './writer.ts';

/** Slots of the shared Int32Array between the writer's thread and the worker. */
export const CTL_COMMITS = 0;
/** the worker wants a notify once CTL_COMMITS reaches CTL_WAKE_AT (compared wrapping: commits overflow int32) */
export const CTL_ARMED = 1;
export const CTL_WAKE_AT = 2;
export const CTL_STOP = 3;
/** the last pause the main thread granted (the writer is held until the worker says it is done) */
export const CTL_GRANTED = 4;
const CTL_SLOTS = 5;

export interface WalCheckpointerOptions {
  file: string;
  busyTimeoutMs: number;
  log: LogFn;
  /** Sets the writer connection's `wal_autocheckpoint` (the fallback). */
  setAutocheckpoint(pages: number): void;
  /** Holds the writer's next groups back; resolves with the release once no group runs (GroupWriter.pause). */
  pauseWriter(): Promise<() => void>;
  /** Commits before a worker starts (again) (default 128). */
  startAfterCommits?: number;
  /** WAL length in frames at which the worker checkpoints and restarts it (default 4000: 16 MB of 4 KiB pages). */
  restartFrames?: number;
  /** The writer's auto-checkpoint while a worker runs (default 16000). */
  hardBoundFrames?: number;
  /** The writer's auto-checkpoint while none runs (default 4000, as before the worker). */
  fallbackFrames?: number;
  /** A worker with no commit for this long stops (default 60 s); the next commits start one again. */
  idleStopMs?: number;
  /** Longest the writer is held for the worker's last copy before it is let go anyway (default 1 s). */
  holdMs?: number;
}

export interface WalCheckpointerStats {
  /** 'idle': no worker now (one starts after more commits); 'inline': none can start here; 'stopped': stop() or close() */
  mode: 'idle' | 'starting' | 'worker' | 'inline' | 'stopped';
  /** workers started so far, and of them those whose thread has not exited */
  starts: number;
  threads: number;
  /** checkpoints the workers ran, and of them those run while the writer was held */
  checkpoints: number;
  holds: number;
  /** how long the writer was held for the worker, in all and at most (ms) */
  heldMs: number;
  maxHeldMs: number;
  /** the last checkpoint's answer: frames in the WAL, and of them copied back */
  lastLogFrames: number;
  lastCheckpointedFrames: number;
}

export interface WalCheckpointer {
  /** Called by the writer after each COMMIT. */
  noteCommit(): void;
  stats(): WalCheckpointerStats;
  /** Stops the worker for good: the writer checkpoints itself from now on (close() does it first). */
  stop(): Promise<void>;
}

const OWN_EXTENSION = import.meta.url.endsWith('.js') ? '.js' : '.ts';
/** Beside this file from source or the npm package; in the compiled binary, under the build's root. */
const WORKER_URLS = [new URL(`./wal-checkpointer-worker${OWN_EXTENSION}`, import.meta.url), new URL('./server/src/db/wal-checkpointer-worker.ts', import.meta.url)];
/** Under the database service's own bounded stop (lifecycle.ts, 5 s): a checkpoint's fsyncs, not more. */
const STOP_WAIT_MS = 2000;
const MAX_FAILURES = 3;

interface Running {
  thread: Worker;
  loaded: boolean;
  /** an exit is expected (idle, stop): not a failure */
  leaving: boolean;
  exited: Promise<void>;
}

export function createWalCheckpointer(opts: WalCheckpointerOptions): WalCheckpointer {
  const startAfterCommits = opts.startAfterCommits ?? 128;
  const fallbackFrames = opts.fallbackFrames ?? 4000;
  const hardBoundFrames = opts.hardBoundFrames ?? 16000;
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const stats: WalCheckpointerStats = { mode: 'idle', starts: 0, threads: 0, checkpoints: 0, holds: 0, heldMs: 0, maxHeldMs: 0, lastLogFrames: 0, lastCheckpointedFrames: 0 };
  let running: Running | undefined;
  let urlIndex = 0;
  /** CTL_COMMITS when the last worker stopped (the next starts `startAfterCommits` later) */
  let commitsAtStop = 0;
  /** the writer held for the worker: its release and the timer that lets it go anyway */
  let held: { gen: number; release: () => void; timer: ReturnType<typeof setTimeout>; since: number } | undefined;
  /** the last hold the worker stopped waiting for (a grant after it must not hold the writer) */
  let abandonedHold = 0;
  /** workers that died after loading: past MAX_FAILURES none starts again */
  let failures = 0;

  const letGo = (): void => {
    const h = held;
    held = undefined;
    if (!h) return;
    clearTimeout(h.timer);
    h.release();
    const ms = performance.now() - h.since;
    stats.heldMs += ms;
    stats.maxHeldMs = Math.max(stats.maxHeldMs, ms);
  };

  /** No worker from now on (until the next start): the writer checkpoints itself as before. */
  const fallBack = (): void => {
    letGo();
    opts.setAutocheckpoint(fallbackFrames);
    commitsAtStop = Atomics.load(ctl, CTL_COMMITS);
  };

  const hold = (gen: number, r: Running): void => {
    void opts.pauseWriter().then((release) => {
      if (running !== r || held || r.leaving || gen <= abandonedHold) return release();
      const timer = setTimeout(letGo, opts.holdMs ?? 1000);
      timer.unref?.();
      held = { gen, release, timer, since: performance.now() };
      Atomics.store(ctl, CTL_GRANTED, gen);
      Atomics.notify(ctl, CTL_GRANTED);
    });
  };

  const start = (): void => {
    Atomics.store(ctl, CTL_STOP, 0);
    Atomics.store(ctl, CTL_ARMED, 0);
    const init: WalCheckpointerInit = {
      file: opts.file,
      busyTimeoutMs: opts.busyTimeoutMs,
      ctl: ctl.buffer as SharedArrayBuffer,
      restartFrames: opts.restartFrames ?? 4000,
      idleStopMs: opts.idleStopMs ?? 60_000,
      holdMs: opts.holdMs ?? 1000,
    };
    let thread: Worker;
    try {
      thread = new Worker(WORKER_URLS[urlIndex]!, { workerData: init });
    } catch {
      stats.mode = 'inline';
      return;
    }
    thread.unref();
    let exit!: () => void;
    const r: Running = { thread, loaded: false, leaving: false, exited: new Promise<void>((resolve) => (exit = resolve)) };
    running = r;
    stats.mode = 'starting';
    stats.starts++;
    stats.threads++;
    thread.on('message', (msg: WalCheckpointerReply) => {
      if (running !== r) return;
      if ('ready' in msg) {
        r.loaded = true;
        stats.mode = 'worker';
        opts.setAutocheckpoint(hardBoundFrames);
      } else if ('checkpoint' in msg) {
        stats.checkpoints++;
        if (msg.held) stats.holds++;
        stats.lastLogFrames = msg.checkpoint.log;
        stats.lastCheckpointedFrames = msg.checkpoint.checkpointed;
        if (msg.held && held?.gen === msg.held) letGo();
      } else if ('hold' in msg) hold(msg.hold, r);
      else if ('unhold' in msg) {
        abandonedHold = msg.unhold;
        if (held?.gen === msg.unhold) letGo();
      }
      else if ('idle' in msg) r.leaving = true;
      else if ('error' in msg) opts.log('warn', `WAL checkpoint worker: ${msg.error}; the writer checkpoints itself`);
    });
    // 'error' and then 'exit' both arrive for one death: the exit handles it
    thread.on('error', (err) => {
      if (r.loaded && !r.leaving) opts.log('warn', `WAL checkpoint worker failed: ${String(err)}; the writer checkpoints itself`);
    });
    thread.on('exit', () => {
      stats.threads--;
      exit();
      if (running !== r) return;
      running = undefined;
      if (stats.mode !== 'stopped') stats.mode = 'idle';
      fallBack();
      // this runtime cannot load the worker from here: try the next place, else the writer checkpoints itself
      if (stats.mode === 'stopped') return;
      if (!r.loaded) {
        if (++urlIndex < WORKER_URLS.length) start();
        else stats.mode = 'inline';
      } else if (!r.leaving && ++failures >= MAX_FAILURES) stats.mode = 'inline';
    });
  };

  return {
    noteCommit() {
      const commits = Atomics.add(ctl, CTL_COMMITS, 1) + 1;
      if (running) {
        if (Atomics.load(ctl, CTL_ARMED) === 1 && ((commits - Atomics.load(ctl, CTL_WAKE_AT)) | 0) >= 0 && Atomics.compareExchange(ctl, CTL_ARMED, 1, 0) === 1) {
          Atomics.notify(ctl, CTL_COMMITS);
        }
      } else if (stats.mode === 'idle' && ((commits - commitsAtStop) | 0) >= startAfterCommits) start();
    },
    stats: () => ({ ...stats }),
    async stop() {
      stats.mode = 'stopped';
      const r = running;
      running = undefined;
      fallBack();
      if (!r) return;
      r.leaving = true;
      Atomics.store(ctl, CTL_STOP, 1);
      Atomics.notify(ctl, CTL_COMMITS);
      Atomics.notify(ctl, CTL_GRANTED);
      if (!r.loaded) void r.thread.terminate();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([r.exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
      clearTimeout(timer);
      void r.thread.terminate();
    },
  };
}
