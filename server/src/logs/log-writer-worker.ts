/**
 * The log writer's thread: it owns aux.db's write connection, waits for batches published in the shared ring
 * (log-ring.ts; it polls every few ms while batches keep coming and sleeps until woken once idle), turns each into rows (a request's redaction, caps and JSON happen here, not on the thread that
 * answers requests) and inserts them in one transaction, so neither that work nor the index upkeep of `_logs`
 * runs on the request path. It answers each batch with a message (written or failed) and stops, after the
 * batches published before, once the ring's close word is set.
 * A separate entry point of the compiled binary (scripts/build.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openAuxDatabase } from '../db/open-aux.ts';
import { CTL_CLOSE, CTL_DONE, CTL_PUBLISHED, findChunk, freeChunk, readChunk, ringViews, type RingInit, waitForBatch } from './log-ring.ts';
import { createLogIdSource, decodeBatch, insertLogRows } from './log-rows.ts';

export interface LogWriterInit {
  file: string;
  busyTimeoutMs: number;
  ring: RingInit;
}

export type LogWriterReply = { ready: true } | { id: number; written: number } | { id: number; error: string };

const init = workerData as LogWriterInit;
const aux = openAuxDatabase({ file: init.file, busyTimeoutMs: init.busyTimeoutMs });
const nextId = createLogIdSource();
const ring = ringViews(init.ring);
const { ctl } = ring;

parentPort!.postMessage({ ready: true } satisfies LogWriterReply);

function writeBatches(): void {
  // a writer started after another one stopped goes on from the last batch that one finished
  let next = Atomics.load(ctl, CTL_DONE) + 1;
  let lastWrite = 0;
  for (;;) {
    const published = Atomics.load(ctl, CTL_PUBLISHED);
    if (published < next) {
      if (Atomics.load(ctl, CTL_CLOSE) === 1) return;
      // every wait is bounded, so a terminate() or a missed wake never leaves the thread parked for long
      waitForBatch(ring, published, Date.now() - lastWrite);
      continue;
    }
    const chunk = findChunk(ring, next);
    if (chunk < 0) {
      // published before its chunk's state was visible: look again
      Atomics.wait(ctl, CTL_PUBLISHED, published, 1);
      continue;
    }
    let reply: LogWriterReply;
    try {
      const rows = decodeBatch(readChunk(ring, chunk));
      if (rows.length > 0) insertLogRows(aux, rows, nextId);
      reply = { id: next, written: rows.length };
    } catch (err) {
      reply = { id: next, error: String(err) };
    }
    freeChunk(ring, chunk);
    Atomics.store(ctl, CTL_DONE, next);
    parentPort!.postMessage(reply);
    next++;
    lastWrite = Date.now();
  }
}

writeBatches();
void aux.close().then(() => parentPort!.close());
