/**
 * The WAL checkpointer's thread (db/wal-checkpointer.ts): PASSIVE checkpoints of data.db on a connection of its own,
 * so the writer's COMMITs on the event loop no longer copy the WAL back. A separate entry point of the compiled
 * binary (scripts/build.ts).
 *
 * Its loop blocks in Atomics.wait (no messages come in; the main thread writes the shared slots): until the
 * writer has committed enough times for the WAL to reach `restartFrames` (frames per commit learnt from each
 * checkpoint's answer), until stopped, or until no commit came for `idleStopMs` (then it exits).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteHandle, type SqliteHandle } from './driver.ts';
import { CTL_ARMED, CTL_COMMITS, CTL_GRANTED, CTL_STOP, CTL_WAKE_AT } from './wal-checkpointer.ts';

export interface WalCheckpointerInit {
  file: string;
  busyTimeoutMs: number;
  ctl: SharedArrayBuffer;
  restartFrames: number;
  idleStopMs: number;
  holdMs: number;
}

export interface CheckpointAnswer {
  /** frames in the WAL when the checkpoint began, and of them those now in the main file */
  log: number;
  checkpointed: number;
}

export type WalCheckpointerReply =
  | { ready: true }
  | { checkpoint: CheckpointAnswer; held: number }
  | { hold: number }
  | { unhold: number }
  | { idle: true }
  | { error: string };

/** Passes before holding the writer, and the frames that came during the last pass small enough to stop at. */
const CATCH_UP_PASSES = 4;
const SMALL_TAIL = 256;

const init = workerData as WalCheckpointerInit;
const ctl = new Int32Array(init.ctl);
const post = (msg: WalCheckpointerReply): void => parentPort!.postMessage(msg);
/** commits compared wrapping around int32, as the main thread counts them */
const reached = (commits: number, target: number): boolean => ((commits - target) | 0) >= 0;

function checkpoint(handle: SqliteHandle): CheckpointAnswer {
  // PASSIVE: copies what no reader still needs, never waits for the writer or a reader (no busy handler)
  const row = handle.prepare('PRAGMA wal_checkpoint(PASSIVE)').all()[0] ?? {};
  return { log: Number(row['log'] ?? 0), checkpointed: Number(row['checkpointed'] ?? 0) };
}

/** Sleeps until CTL_COMMITS reaches `target` ('go'), a stop, or `idleStopMs` with no commit at all. */
function waitForCommits(target: number): 'go' | 'stop' | 'idle' {
  Atomics.store(ctl, CTL_WAKE_AT, target);
  Atomics.store(ctl, CTL_ARMED, 1);
  let seen = Atomics.load(ctl, CTL_COMMITS);
  for (;;) {
    if (Atomics.load(ctl, CTL_STOP) === 1) return 'stop';
    const commits = Atomics.load(ctl, CTL_COMMITS);
    if (reached(commits, target)) {
      Atomics.store(ctl, CTL_ARMED, 0);
      return 'go';
    }
    // the main thread notifies only at the target: a wait that times out with the count unchanged means no commit
    if (Atomics.wait(ctl, CTL_COMMITS, commits, init.idleStopMs) === 'timed-out' && Atomics.load(ctl, CTL_COMMITS) === seen) return 'idle';
    seen = commits;
  }
}

/** Asks the main thread to hold the writer; true once it does (CTL_GRANTED = gen), false on a stop or no answer. */
function awaitHold(gen: number): boolean {
  post({ hold: gen });
  const until = Date.now() + init.holdMs;
  for (;;) {
    if (Atomics.load(ctl, CTL_STOP) === 1) return false;
    const granted = Atomics.load(ctl, CTL_GRANTED);
    if (granted === gen) return true;
    const left = until - Date.now();
    if (left <= 0) {
      post({ unhold: gen });
      return false;
    }
    Atomics.wait(ctl, CTL_GRANTED, granted, left);
  }
}

function run(handle: SqliteHandle): 'stop' | 'idle' {
  const restartFrames = init.restartFrames;
  // a first guess on the high side, so the second look comes soon and measures it
  let framesPerCommit = Math.max(1, restartFrames / 64);
  let lastCommits = Atomics.load(ctl, CTL_COMMITS);
  let lastLog = 0;
  let gen = 0;
  let target = lastCommits; // a look at once: the writer committed enough to start this worker
  for (;;) {
    const woke = waitForCommits(target);
    if (woke !== 'go') return woke;
    let commits = Atomics.load(ctl, CTL_COMMITS);
    let answer = checkpoint(handle);
    post({ checkpoint: answer, held: 0 });
    const newCommits = (commits - lastCommits) | 0;
    // a shorter WAL than last time: it restarted on its own (a checkpoint caught up between commits), nothing learnt
    if (answer.log > lastLog && newCommits > 0) framesPerCommit = Math.max(1, (answer.log - lastLog) / newCommits);
    if (answer.log >= restartFrames) {
      // catch up without holding anyone: each pass copies what came during the one before, until that is little,
      // so the copy made while the writer is held (and its two fsyncs) is short
      for (let pass = 0, came = Infinity; pass < CATCH_UP_PASSES && came > SMALL_TAIL && answer.checkpointed >= answer.log && Atomics.load(ctl, CTL_STOP) === 0; pass++) {
        commits = Atomics.load(ctl, CTL_COMMITS);
        const next = checkpoint(handle);
        came = next.log - answer.log;
        answer = next;
        post({ checkpoint: answer, held: 0 });
      }
    }
    lastCommits = commits;
    lastLog = answer.log;
    // every frame present when it began is copied back (no reader held it up) and the WAL is long: hold the writer
    // for the frames written meanwhile, so its next BEGIN finds nothing left and starts the WAL again
    if (answer.log >= restartFrames && answer.checkpointed >= answer.log && awaitHold(++gen)) {
      const heldAt = Atomics.load(ctl, CTL_COMMITS);
      const tail = checkpoint(handle);
      post({ checkpoint: tail, held: gen });
      lastCommits = heldAt;
      lastLog = tail.checkpointed >= tail.log ? 0 : tail.log;
    }
    // the next look when the WAL should be `restartFrames` long; a WAL a reader keeps long is looked at every 1/8
    const frames = Math.max(restartFrames - lastLog, restartFrames / 8);
    target = (lastCommits + Math.max(1, Math.ceil(frames / framesPerCommit))) | 0;
  }
}

let handle: SqliteHandle | undefined;
try {
  handle = openSqliteHandle(init.file, { statementCacheSize: 2 });
  handle.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(init.busyTimeoutMs))}`);
  // Tells the main thread this runtime could load the worker (else the writer keeps checkpointing itself).
  post({ ready: true });
  if (run(handle) === 'idle') post({ idle: true });
} catch (err) {
  post({ error: err instanceof Error ? err.message : String(err) });
} finally {
  Atomics.store(ctl, CTL_ARMED, 0);
  handle?.close();
}
