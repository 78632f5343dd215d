/**
 * What the two log services (log-service.ts over aux.db, postgres-log-service.ts over PostgreSQL) share: their
 * batching options and defaults (wire: PocketBase's 3 s ticker and 200-entry batches), the route notes the
 * request logger reads once an answer is out, and a close that runs once however often it is called.
 */
import type { Settings } from '../admin/settings-model.ts';
import type { RequestNote } from './request-log.ts';

export interface LogBatchingOptions {
  /** the `logs` settings in force (read on every write) */
  settings: () => Settings['logs'];
  clock?: () => Date;
  /** where a write failure is reported (once); default stderr */
  report?: (line: string) => void;
  /** flush period in ms (default 3000) */
  flushMs?: number;
  /** a batch this large is flushed at once (default 200) */
  batchSize?: number;
  /** entries held (queued or being written) before new ones are dropped (default 10,000) */
  maxPending?: number;
}

export interface LogBatching {
  now: () => number;
  report: (line: string) => void;
  flushMs: number;
  batchSize: number;
  maxPending: number;
}

/** The options with their defaults filled in. */
export function logBatching(opts: LogBatchingOptions): LogBatching {
  const clock = opts.clock;
  return {
    now: clock ? () => clock().getTime() : Date.now,
    report: opts.report ?? ((line: string) => process.stderr.write(line + '\n')),
    flushMs: opts.flushMs ?? 3000,
    batchSize: opts.batchSize ?? 200,
    maxPending: opts.maxPending ?? 10_000,
  };
}

/** Route facts per request, merged as they come (LogService.noteRequest); gone with the Request. */
export interface RequestNotes {
  get(request: Request): RequestNote | undefined;
  note(request: Request, note: RequestNote): void;
}

export function createRequestNotes(): RequestNotes {
  const notes = new WeakMap<Request, RequestNote>();
  return {
    get: (request) => notes.get(request),
    note(request, note) {
      const known = notes.get(request);
      if (known) Object.assign(known, note);
      else notes.set(request, { ...note });
    },
  };
}

/** `run` on the first call; every later call answers the same promise (LogService.close). */
export function runOnce(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= run());
}
