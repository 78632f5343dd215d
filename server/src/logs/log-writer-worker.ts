/**
 * The log writer's thread: it owns aux.db's write connection, waits for batches published in the shared ring
 * (log-ring.ts; it polls every few ms while batches keep coming and sleeps until woken once idle), turns each into
 * rows (a request's redaction, caps and JSON happen here, not on the thread that answers requests) and inserts them
 * in one transaction, so neither that work nor the index upkeep of `_logs` runs on the request path.
 *
 * While batches keep coming (each published less than `idleMs` after the one before, by the request thread's
 * clock: on a loaded box this thread may not run for 100s of ms) a batch is only staged: its bytes kept as one row
 * of `_logs_staged` (log-rows.ts stageBatch; URLs and referers with a query redacted first, redactBatch). Making
 * the entries and keeping `_logs`' primary key and indexes cost ~5 µs per request here, on a 2-core box as much
 * CPU as a request's answer lost; staged batches move into `_logs` once none was published for `idleMs`, when
 * more than `maxStagedBytes` wait (then one per new batch, busy or not), when the request thread asks (a read of
 * the logs, a flush: CTL_SETTLE_ASKED) and before stopping.
 *
 * It answers each batch with a message (staged, written or failed) and stops, after the batches published before,
 * once the ring's close word is set. A separate entry point of the compiled binary (scripts/build.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openAuxConnection } from '../db/aux-connection.ts';
import {
  copyChunk, CTL_CLOSE, CTL_DONE, CTL_MIN_LEVEL, CTL_PUBLISHED, CTL_PUBLISHED_AT, CTL_SETTLE_ASKED, CTL_SETTLED, findChunk, freeChunk, msBetween,
  publishedAtOf, readChunk, ringMs, ringViews, type RingInit, waitForBatch,
} from './log-ring.ts';
import { countStagedBytes, createLogIdSource, decodeBatch, insertLogRows, moveStagedBatch, redactBatch, stageBatch } from './log-rows.ts';

export interface LogWriterInit {
  file: string;
  busyTimeoutMs: number;
  ring: RingInit;
  /** a batch within this many ms of the previous one is staged; staged batches move once none came for this long */
  idleMs: number;
  /** staged bytes beyond which staged batches move at once, busy or not */
  maxStagedBytes: number;
}

export type LogWriterReply =
  | { ready: true }
  | { id: number; written: number }
  | { id: number; error: string }
  /** every staged batch was moved (or could not be) when CTL_SETTLE_ASKED was `settled` */
  | { settled: number }
  | { moveError: string };

const init = workerData as LogWriterInit;
// no Kysely on this thread (aux-connection.ts): its module graph stays the log's own files
const aux = openAuxConnection({ file: init.file, busyTimeoutMs: init.busyTimeoutMs });
const nextId = createLogIdSource();
const ring = ringViews(init.ring);
const { ctl } = ring;

parentPort!.postMessage({ ready: true } satisfies LogWriterReply);

function writeBatches(): void {
  // a writer started after another one stopped goes on from the last batch that one finished
  let next = Atomics.load(ctl, CTL_DONE) + 1;
  let lastWrite = 0;
  /** when the batch before was published (ringMs); none yet */
  let previousAt: number | undefined;
  let staged = countStagedBytes(aux);
  // after a move failed (aux.db full or broken), not tried again before the next batch, and batches are written
  // straight (failing and dropped, not piling up staged) until one is written
  let movePaused = false;
  let moveFailed = false;
  for (;;) {
    const published = Atomics.load(ctl, CTL_PUBLISHED);
    if (published >= next) {
      const chunk = findChunk(ring, next);
      if (chunk < 0) {
        // published before its chunk's state was visible: look again
        Atomics.wait(ctl, CTL_PUBLISHED, published, 1);
        continue;
      }
      const at = ctl[publishedAtOf(chunk)]!;
      const soon = previousAt !== undefined && msBetween(previousAt, at) < init.idleMs;
      previousAt = at;
      let reply: LogWriterReply;
      try {
        if ((staged === 0 && !soon) || moveFailed) {
          // a quiet server: straight into _logs
          const rows = decodeBatch(readChunk(ring, chunk));
          if (rows.length > 0) insertLogRows(aux, rows, nextId);
          moveFailed = false;
          reply = { id: next, written: rows.length };
        } else {
          const copied = copyChunk(ring, chunk);
          // nothing secret rests in aux.db: a batch with a query anywhere is staged with its requests' queries redacted
          const bytes = copied.includes(63 /* ? */) ? Buffer.from(redactBatch(copied.toString('utf8'))) : copied;
          stageBatch(aux, bytes);
          staged += Math.max(1, bytes.length);
          reply = { id: next, written: 0 };
        }
      } catch (err) {
        reply = { id: next, error: String(err) };
      }
      freeChunk(ring, chunk);
      Atomics.store(ctl, CTL_DONE, next);
      parentPort!.postMessage(reply);
      next++;
      lastWrite = Date.now();
      movePaused = false;
      continue;
    }
    const closing = Atomics.load(ctl, CTL_CLOSE) === 1;
    const asked = Atomics.load(ctl, CTL_SETTLE_ASKED);
    const settling = asked !== Atomics.load(ctl, CTL_SETTLED);
    const quiet = msBetween(Atomics.load(ctl, CTL_PUBLISHED_AT), ringMs(ring)) >= init.idleMs;
    if (staged > 0 && !movePaused && (closing || settling || staged > init.maxStagedBytes || quiet)) {
      try {
        const moved = moveStagedBatch(aux, nextId, Atomics.load(ctl, CTL_MIN_LEVEL));
        staged = moved === 0 ? 0 : Math.max(0, staged - moved);
      } catch (err) {
        movePaused = moveFailed = true;
        staged = countStagedBytesOrZero();
        parentPort!.postMessage({ moveError: String(err) } satisfies LogWriterReply);
      }
      lastWrite = Date.now();
      continue;
    }
    if (settling) {
      Atomics.store(ctl, CTL_SETTLED, asked);
      parentPort!.postMessage({ settled: asked } satisfies LogWriterReply);
      continue;
    }
    if (closing) return;
    // every wait is bounded, so a terminate() or a missed wake never leaves the thread parked for long
    waitForBatch(ring, published, Date.now() - lastWrite);
  }
}

function countStagedBytesOrZero(): number {
  try {
    return countStagedBytes(aux);
  } catch {
    return 0;
  }
}

writeBatches();
void aux.close().then(() => parentPort!.close());
