/**
 * The log writer's thread: it owns aux.db's write connection and inserts each batch it is sent in one
 * transaction, so the index upkeep of `_logs` (message, level, created hour) never runs on the thread that
 * answers requests. A separate entry point of the compiled binary (scripts/build.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openAuxDatabase } from '../db/open-aux.ts';
import { createLogIdSource, decodeLogRows, insertLogRows } from './log-rows.ts';

export interface LogWriterInit {
  file: string;
  busyTimeoutMs: number;
}

export interface LogWriterBatch {
  id: number;
  /** encodeLogRows of the batch */
  rows: string;
}

export type LogWriterReply = { ready: true } | { id: number; written: number } | { id: number; error: string };

const init = workerData as LogWriterInit;
const aux = openAuxDatabase({ file: init.file, busyTimeoutMs: init.busyTimeoutMs });
const nextId = createLogIdSource();

parentPort?.postMessage({ ready: true } satisfies LogWriterReply);

parentPort?.on('message', (batch: LogWriterBatch | 'close') => {
  if (batch === 'close') {
    void aux.close().then(() => parentPort!.close());
    return;
  }
  try {
    const rows = decodeLogRows(batch.rows);
    insertLogRows(aux, rows, nextId);
    parentPort!.postMessage({ id: batch.id, written: rows.length } satisfies LogWriterReply);
  } catch (err) {
    parentPort!.postMessage({ id: batch.id, error: String(err) } satisfies LogWriterReply);
  }
});
