/**
 * The log writer's thread: it owns aux.db's write connection, turns each batch it is sent into rows (a
 * request's redaction, caps and JSON happen here, not on the thread that answers requests) and inserts them
 * in one transaction, so neither that work nor the index upkeep of `_logs` runs on the request path.
 * A separate entry point of the compiled binary (scripts/build.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openAuxDatabase } from '../db/open-aux.ts';
import { createLogIdSource, decodeBatch, insertLogRows } from './log-rows.ts';

export interface LogWriterInit {
  file: string;
  busyTimeoutMs: number;
}

export interface LogWriterBatch {
  id: number;
  /** encodeBatch of the batch ('' : a marker answered after every batch before it) */
  batch: string;
}

export type LogWriterReply = { ready: true } | { id: number; written: number } | { id: number; error: string };

const init = workerData as LogWriterInit;
const aux = openAuxDatabase({ file: init.file, busyTimeoutMs: init.busyTimeoutMs });
const nextId = createLogIdSource();

parentPort?.postMessage({ ready: true } satisfies LogWriterReply);

parentPort?.on('message', (msg: LogWriterBatch | 'close') => {
  if (msg === 'close') {
    void aux.close().then(() => parentPort!.close());
    return;
  }
  try {
    const rows = decodeBatch(msg.batch);
    if (rows.length > 0) insertLogRows(aux, rows, nextId);
    parentPort!.postMessage({ id: msg.id, written: rows.length } satisfies LogWriterReply);
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: String(err) } satisfies LogWriterReply);
  }
});
