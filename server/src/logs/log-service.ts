/**
 * The log writer: entries are appended to an in-memory batch (cheap, on the request path: a request's raw
 * facts as a few values, no object, JSON or redaction) and written to aux.db's `_logs` off it, one
 * transaction per batch: every few seconds, once the batch reaches a size, and on close. The batch crosses to
 * a worker thread as one string (log-rows.ts), which builds the rows (request-log.ts) and inserts them (inline
 * where no worker can start), since the upkeep of `_logs`' indexes costs µs per row. aux.db being full,
 * locked or broken never fails a request: the batch is dropped and the first failure is reported once to
 * stderr (not through the app logger, which writes here). wire: PocketBase's BatchHandler (3 s ticker, 200
 * entries) and its logs settings. Old entries are deleted by the `__pbLogsCleanup__` cron job (cron/builtin-jobs.ts),
 * on start and on each settings save (trim), not by a timer of this service.
 */
import { Worker } from 'node:worker_threads';
import type { Settings } from '../admin/settings-model.ts';
import { openAuxDatabase, type AuxDatabase } from '../db/open-aux.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { LOGS_TABLE_DDL, type LogEntry } from './log-entry.ts';
import { createLogIdSource, decodeBatch, ENTRY, encodeBatch, insertLogRows, levelAt, type PendingBuffer, recordLength, REQUEST } from './log-rows.ts';
import type { LogWriterBatch, LogWriterInit, LogWriterReply } from './log-writer-worker.ts';
import { requestLevel, type RequestNote } from './request-log.ts';

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
  /**
   * Queue the log entry of an answered request (PocketBase's activity logger): its facts are kept raw and
   * made into the entry (redacted, capped) on the writer's thread. `userIP`/`remoteIP` only when `logs.logIP`.
   */
  writeRequest(request: Request, status: number, execTime: number, userIP?: string, remoteIP?: string): void;
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
  /** Flush, stop the timer, close aux.db. */
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const OWN_EXTENSION = import.meta.url.endsWith('.js') ? '.js' : '.ts';
/** Beside this file from source or the npm package; in the compiled binary, under the build's root. */
const WORKER_URLS = [new URL(`./log-writer-worker${OWN_EXTENSION}`, import.meta.url), new URL('./server/src/logs/log-writer-worker.ts', import.meta.url)];
const CLOSE_WAIT_MS = 5000;

interface InFlight {
  /** encodeBatch of its records */
  batch: string;
  count: number;
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
  const clock = opts.clock;
  const now: () => number = clock ? () => clock().getTime() : Date.now;
  const report = opts.report ?? ((line: string) => process.stderr.write(line + '\n'));
  const batchSize = opts.batchSize ?? 200;
  const maxPending = opts.maxPending ?? 10_000;
  const notes = new WeakMap<Request, RequestNote>();
  const nextId = createLogIdSource();
  const inFlight = new Map<number, InFlight>();
  let inFlightRows = 0;
  let pending: PendingBuffer = [];
  let pendingCount = 0;
  let droppedCount = 0;
  let failing = false;
  let soon: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let batchId = 0;
  let urlIndex = 0;
  let thread: Worker | undefined;
  let threadLoaded = false;
  let inline = opts.inline === true;

  const keeps = (level: number, s: Settings['logs'] = opts.settings()): boolean => s.maxDays > 0 && level >= s.minLevel;

  const drop = (count: number, why: string): void => {
    droppedCount += count;
    if (!failing) report(`galley: ${count} log entries dropped: ${why}; further failures are not reported until a write succeeds`);
    failing = true;
  };

  const writeInline = (batch: string, count: number): void => {
    try {
      insertLogRows(auxDb, decodeBatch(batch), nextId);
      failing = false;
    } catch (err) {
      drop(count, `aux.db could not be written (${String(err)})`);
    }
  };

  const settle = (id: number): InFlight | undefined => {
    const job = inFlight.get(id);
    if (!job) return undefined;
    inFlight.delete(id);
    inFlightRows -= job.count;
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
        for (const [id, job] of inFlight) next.postMessage({ id, batch: job.batch } satisfies LogWriterBatch);
        return;
      }
    }
    inline = true;
    for (const [id, job] of [...inFlight]) {
      if (loaded) drop(job.count, `the log writer thread stopped (${String(err)})`);
      else if (job.count > 0) writeInline(job.batch, job.count);
      settle(id);
    }
    pump(false);
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
        if ('error' in msg) drop(inFlight.get(msg.id)?.count ?? 0, `aux.db could not be written (${msg.error})`);
        else failing = false;
        settle(msg.id);
        pump(false);
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

  /** flush() callers waiting for the next batch handed over (it holds everything queued before their call) */
  let waiters: Array<() => void> = [];
  /** the flush period passed while the writer was busy: the next answer hands the queue over, whatever its size */
  let overdue = false;

  /**
   * Hand the queued records to the writer when they are due (the batch is full, the flush period passed, or
   * someone awaits flush()), unless it is still writing the previous batch: a postMessage to a worker busy in
   * SQLite stalls this thread until it is done (measured ~1.5 ms per batch under get-by-id load), so the next
   * batch leaves when the previous one is answered, having grown meanwhile.
   */
  const pump = (due: boolean): void => {
    if (soon) clearTimeout(soon);
    soon = undefined;
    if (closed) return;
    if (!(due || overdue || waiters.length > 0 || pendingCount >= batchSize)) return;
    if (pendingCount === 0 && waiters.length === 0) {
      overdue = false;
      return;
    }
    if (!inline && !thread) startThread();
    if (!inline && thread && inFlight.size > 0) {
      overdue ||= due;
      return;
    }
    overdue = false;
    const done = waiters;
    waiters = [];
    const count = pendingCount;
    const batch = count > 0 ? encodeBatch(pending) : '';
    pending = [];
    pendingCount = 0;
    if (inline || !thread) {
      if (count > 0) writeInline(batch, count);
      for (const d of done) d();
      return;
    }
    const id = ++batchId;
    inFlightRows += count;
    inFlight.set(id, { batch, count, done: () => done.forEach((d) => d()) });
    // an empty batch is a marker: the worker answers it after every batch sent before it
    thread.postMessage({ id, batch } satisfies LogWriterBatch);
  };

  const flush = (): Promise<void> => {
    if (closed || (pendingCount === 0 && inFlight.size === 0 && waiters.length === 0)) return Promise.resolve();
    const written = new Promise<void>((resolve) => waiters.push(resolve));
    pump(true);
    return written;
  };

  /** Room for one more record, else it is counted as dropped; a full batch is handed over after this turn. */
  const admit = (): boolean => {
    if (pendingCount + inFlightRows >= maxPending) {
      droppedCount++;
      return false;
    }
    // off the request path: the batch is handed over once the current turn has answered
    if (++pendingCount >= batchSize && !soon) soon = setTimeout(() => pump(false), 0);
    return true;
  };

  const write = (entry: LogEntry): void => {
    if (closed || !keeps(entry.level) || !admit()) return;
    pending.push(ENTRY, entry.created ?? now(), entry.level, entry.message, entry.data);
  };

  const writeRequest = (request: Request, status: number, execTime: number, userIP?: string, remoteIP?: string): void => {
    if (closed) return;
    const note = notes.get(request);
    if (note?.skipSuccess && status < 400) return;
    const s = opts.settings();
    if (!keeps(requestLevel(status), s) || !admit()) return;
    const auth = note?.auth;
    const headers = request.headers;
    pending.push(
      REQUEST, now(), status, execTime, request.method, request.url, headers.get('user-agent') ?? undefined, headers.get('referer') ?? undefined,
      auth?.collection, auth && s.logAuthId ? auth.id : undefined, userIP, remoteIP, note?.error,
    );
  };

  const trim = (): void => {
    if (closed) return;
    const s = opts.settings();
    const before = formatDateTime(new Date(now() - s.maxDays * DAY_MS));
    const kept: PendingBuffer = [];
    let keptCount = 0;
    for (let i = 0; i < pending.length; ) {
      const length = recordLength(pending[i]);
      if (keeps(levelAt(pending, i), s)) {
        for (let j = i; j < i + length; j++) kept.push(pending[j]);
        keptCount++;
      }
      i += length;
    }
    pending = kept;
    pendingCount = keptCount;
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

  const ticker = setInterval(() => pump(true), opts.flushMs ?? 3000);
  (ticker as { unref?: () => void }).unref?.();
  trim();

  let closing: Promise<void> | undefined;
  return {
    auxDb,
    write,
    writeRequest,
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
