/**
 * The log writer: entries are pushed into an in-memory batch (cheap, on the request path) and written to
 * aux.db's `_logs` off it, one transaction per batch: every few seconds, once the batch reaches a size, and
 * on close. The inserts run on a worker thread (log-writer-worker.ts; inline where none can start), since the
 * upkeep of `_logs`' indexes costs tens of µs per row. aux.db being full, locked or broken never fails a
 * request: the batch is dropped and the first failure is reported once to stderr (not through the app logger,
 * which writes here). wire: PocketBase's BatchHandler (3 s ticker, 200 entries) and its logs settings.
 */
import { Worker } from 'node:worker_threads';
import type { Settings } from '../admin/settings-model.ts';
import { openAuxDatabase, type AuxDatabase } from '../db/open-aux.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { LOGS_TABLE_DDL, type LogEntry } from './log-entry.ts';
import { createLogIdSource, encodeLogRows, insertLogRows, type LogRow } from './log-rows.ts';
import type { LogWriterBatch, LogWriterInit, LogWriterReply } from './log-writer-worker.ts';
import { buildRequestLogEntry, type AnsweredRequest, type RequestNote } from './request-log.ts';

export interface LogServiceOptions {
  /** path of aux.db */
  file: string;
  busyTimeoutMs: number;
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
  /** write on this thread instead of a worker (tests of the fallback) */
  inline?: boolean;
}

export interface LogService {
  /** aux.db, for other services' own tables (cron state): keep writes short, they share the log writer's connection */
  readonly auxDb: AuxDatabase;
  /** Queue one entry (dropped at once when the settings say it is not kept). */
  write(entry: LogEntry): void;
  /** Queue the log entry of an answered request (PocketBase's activity logger). */
  writeRequest(answered: Omit<AnsweredRequest, 'note'>): void;
  /** Whether requests are logged at all now (`logs.maxDays` > 0), so callers skip gathering facts. */
  isEnabled(): boolean;
  /** Route facts the request logger reads once the answer is out (auth, the error answered, skip on success). */
  noteRequest(request: Request, note: RequestNote): void;
  /** Write the queued batch now; settles once it (and every batch before it) is written or dropped. */
  flush(): Promise<void>;
  /** Delete what the settings no longer allow (older than maxDays, below minLevel). */
  trim(): void;
  /** Entries dropped so far (settings aside): aux.db failures and overflow. */
  dropped(): number;
  /** Flush, stop the timers, close aux.db. */
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** how often old entries are deleted besides start and settings saves (PocketBase's __pbLogsCleanup__ cron: 6 h) */
const TRIM_EVERY_MS = 6 * 60 * 60 * 1000;
const MAX_DATA_CHARS = 64 * 1024;
const OWN_EXTENSION = import.meta.url.endsWith('.js') ? '.js' : '.ts';
/** Beside this file from source or the npm package; in the compiled binary, under the build's root. */
const WORKER_URLS = [new URL(`./log-writer-worker${OWN_EXTENSION}`, import.meta.url), new URL('./server/src/logs/log-writer-worker.ts', import.meta.url)];
const CLOSE_WAIT_MS = 5000;

/** JSON of an entry's data; Error values as their message, bigints as text; oversized data is replaced. */
function serializeData(data: Record<string, unknown>): string {
  let text: string;
  try {
    // request entries hold only strings and numbers: no replacer on the hot path
    text = data['type'] === 'request' ? JSON.stringify(data) : JSON.stringify(data, (_k, v: unknown) => (v instanceof Error ? v.message : typeof v === 'bigint' ? String(v) : v));
  } catch {
    text = JSON.stringify({ type: data['type'] ?? '', unserializable: true });
  }
  return text.length > MAX_DATA_CHARS ? JSON.stringify({ type: data['type'] ?? '', truncated: true }) : text;
}

interface Pending {
  level: number;
  message: string;
  data: Record<string, unknown>;
  created: number;
}

interface InFlight {
  rows: LogRow[];
  done: () => void;
}

export function createLogService(opts: LogServiceOptions): LogService {
  const auxDb = openAuxDatabase({ file: opts.file, busyTimeoutMs: opts.busyTimeoutMs });
  try {
    for (const ddl of LOGS_TABLE_DDL) auxDb.execute(ddl);
  } catch (err) {
    void auxDb.close();
    throw err;
  }
  const clock = opts.clock ?? (() => new Date());
  const report = opts.report ?? ((line: string) => process.stderr.write(line + '\n'));
  const batchSize = opts.batchSize ?? 200;
  const maxPending = opts.maxPending ?? 10_000;
  const notes = new WeakMap<Request, RequestNote>();
  const nextId = createLogIdSource();
  const inFlight = new Map<number, InFlight>();
  let inFlightRows = 0;
  let pending: Pending[] = [];
  let droppedCount = 0;
  let failing = false;
  let soon: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let batchId = 0;
  let urlIndex = 0;
  let thread: Worker | undefined;
  let threadLoaded = false;
  let inline = opts.inline === true;

  const keeps = (level: number): boolean => {
    const s = opts.settings();
    return s.maxDays > 0 && level >= s.minLevel;
  };

  const drop = (count: number, why: string): void => {
    droppedCount += count;
    if (!failing) report(`galley: ${count} log entries dropped: ${why}; further failures are not reported until a write succeeds`);
    failing = true;
  };

  const writeInline = (rows: LogRow[]): void => {
    try {
      insertLogRows(auxDb, rows, nextId);
      failing = false;
    } catch (err) {
      drop(rows.length, `aux.db could not be written (${String(err)})`);
    }
  };

  const settle = (id: number): InFlight | undefined => {
    const job = inFlight.get(id);
    if (!job) return undefined;
    inFlight.delete(id);
    inFlightRows -= job.rows.length;
    job.done();
    return job;
  };

  /** The worker is gone: batches it never loaded go to the next place to load it from, else are written here. */
  const abandonThread = (loaded: boolean, err: unknown): void => {
    thread = undefined;
    threadLoaded = false;
    if (!loaded && !closed && ++urlIndex < WORKER_URLS.length) {
      startThread();
      const next = thread as Worker | undefined;
      if (next) {
        for (const [id, job] of inFlight) next.postMessage({ id, rows: encodeLogRows(job.rows) } satisfies LogWriterBatch);
        return;
      }
    }
    inline = true;
    for (const [id, job] of [...inFlight]) {
      if (loaded) drop(job.rows.length, `the log writer thread stopped (${String(err)})`);
      else writeInline(job.rows);
      settle(id);
    }
  };

  function startThread(): void {
    try {
      const worker = new Worker(WORKER_URLS[urlIndex]!, { workerData: { file: opts.file, busyTimeoutMs: opts.busyTimeoutMs } satisfies LogWriterInit });
      worker.unref();
      thread = worker;
      let loaded = false;
      let gone = false;
      worker.on('message', (msg: LogWriterReply) => {
        if ('ready' in msg) {
          loaded = true;
          threadLoaded = true;
          return;
        }
        if ('error' in msg) drop(inFlight.get(msg.id)?.rows.length ?? 0, `aux.db could not be written (${msg.error})`);
        else failing = false;
        settle(msg.id);
      });
      const fail = (err: unknown) => {
        if (gone) return;
        gone = true;
        if (thread === worker) abandonThread(loaded, err);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    } catch {
      thread = undefined;
      inline = true;
    }
  }

  const flush = (): Promise<void> => {
    if (soon) clearTimeout(soon);
    soon = undefined;
    if (closed) return Promise.resolve();
    const batch = pending;
    pending = [];
    const rows: LogRow[] = batch.map((e) => ({ level: e.level, message: e.message, data: serializeData(e.data), created: e.created }));
    if (!inline && !thread) startThread();
    if (inline || !thread) {
      if (rows.length > 0) writeInline(rows);
      return Promise.resolve();
    }
    if (rows.length === 0 && inFlight.size === 0) return Promise.resolve();
    const id = ++batchId;
    inFlightRows += rows.length;
    const written = new Promise<void>((done) => inFlight.set(id, { rows, done }));
    // an empty batch is a marker: the worker answers it after every batch sent before it
    thread.postMessage({ id, rows: encodeLogRows(rows) } satisfies LogWriterBatch);
    return written;
  };

  const write = (entry: LogEntry): void => {
    if (closed || !keeps(entry.level)) return;
    if (pending.length + inFlightRows >= maxPending) {
      droppedCount++;
      return;
    }
    pending.push({ level: entry.level, message: entry.message, data: entry.data, created: entry.created ?? clock().getTime() });
    // off the request path: the batch is handed over once the current turn has answered
    if (pending.length >= batchSize && !soon) soon = setTimeout(() => void flush(), 0);
  };

  const trim = (): void => {
    if (closed) return;
    const s = opts.settings();
    const before = formatDateTime(new Date(clock().getTime() - s.maxDays * DAY_MS));
    pending = pending.filter((e) => keeps(e.level));
    try {
      // wire: PocketBase's cleanup on settings reload ("created <= date OR level < minLevel")
      auxDb.execute('DELETE FROM "_logs" WHERE "created" <= ? OR "level" < ?', [before, s.minLevel]);
    } catch (err) {
      report(`galley: old log entries could not be deleted from aux.db (${String(err)})`);
    }
  };

  const stopThread = async (): Promise<void> => {
    const worker = thread;
    if (!worker) return;
    thread = undefined;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    if (threadLoaded) worker.postMessage('close');
    else void worker.terminate();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    void worker.terminate();
  };

  const ticker = setInterval(() => void flush(), opts.flushMs ?? 3000);
  const trimmer = setInterval(trim, TRIM_EVERY_MS);
  (ticker as { unref?: () => void }).unref?.();
  (trimmer as { unref?: () => void }).unref?.();
  trim();

  let closing: Promise<void> | undefined;
  return {
    auxDb,
    write,
    writeRequest(answered) {
      const note = notes.get(answered.request);
      if (note?.skipSuccess && answered.status < 400) return;
      const s = opts.settings();
      write(buildRequestLogEntry({ ...answered, note }, { logAuthId: s.logAuthId }));
    },
    isEnabled: () => !closed && opts.settings().maxDays > 0,
    noteRequest(request, note) {
      const known = notes.get(request);
      if (known) Object.assign(known, note);
      else notes.set(request, { ...note });
    },
    flush,
    trim,
    dropped: () => droppedCount,
    close() {
      return (closing ??= (async () => {
        clearInterval(ticker);
        clearInterval(trimmer);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
        clearTimeout(timer);
        closed = true;
        await stopThread();
        await auxDb.close();
      })());
    },
  };
}
