/**
 * The log writer: entries are appended to the batch being filled (cheap, on the request path: a request's raw
 * facts as one short text written into a shared ring's chunk, log-ring.ts; no object, JSON or redaction) and
 * written to aux.db's `_logs` off it, one transaction per batch: every few seconds, once the batch reaches a
 * size, and on close. A worker thread reads the published chunks, builds the rows (request-log.ts) and inserts
 * them (inline where no worker can start), since the upkeep of `_logs`' indexes costs µs per row. aux.db being
 * full, locked or broken never fails a request: the batch is dropped and the first failure is reported once to
 * stderr (not through the app logger, which writes here). wire: PocketBase's BatchHandler (3 s ticker, 200
 * entries) and its logs settings. Old entries are deleted by the `__pbLogsCleanup__` cron job (cron/builtin-jobs.ts),
 * on start and on each settings save (trim), not by a timer of this service.
 */
import { Worker } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import { sqliteDialect, type FilterDialect } from '../query/dialect.ts';
import type { Settings } from '../admin/settings-model.ts';
import { openAuxDatabase, type AuxDatabase } from '../db/open-aux.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { DELETE_OLD_LOGS_SQL, LOGS_TABLE_DDL, type LogEntry } from './log-entry.ts';
import {
  CHUNK_PUBLISHED, createRing, createRingWriter, CTL_CLOSE, CTL_DONE, CTL_MIN_LEVEL, CTL_PUBLISHED, CTL_SETTLE_ASKED, freeChunk, readChunk, ringViews, stateAt,
} from './log-ring.ts';
import {
  countStagedBytes, createLogIdSource, decodeBatch, encodeEntryRecord, encodeRequestRecord, insertLogRows, moveStagedBatch, requestRecordBound,
  writeRequestRecord,
} from './log-rows.ts';
import { createRequestNotes, logBatching, runOnce, type LogBatchingOptions } from './log-service-common.ts';
import type { LogWriterInit, LogWriterReply } from './log-writer-worker.ts';
import { requestLevel, type RequestNote } from './request-log.ts';

export interface LogServiceOptions extends LogBatchingOptions {
  /** path of aux.db */
  file: string;
  busyTimeoutMs: number;
  /** write on this thread instead of a worker (tests of the fallback) */
  inline?: boolean;
  /** a batch this soon after the previous one is staged, and staged batches move into `_logs` once none came for this long (default 100 ms; log-writer-worker.ts) */
  idleMs?: number;
  /** staged bytes beyond which staged batches move into `_logs` however busy the server is (default 16 MiB) */
  maxStagedBytes?: number;
  /** the writer thread stops once no batch came for this long, and starts again with the next (default 30 s) */
  stopIdleWriterMs?: number;
}

/** Where `_logs` is read (the logs routes): aux.db on SQLite, the database itself on PostgreSQL. */
export interface LogsTable {
  readonly db: Kysely<any>;
  readonly dialect: FilterDialect;
}

export interface LogService {
  /**
   * aux.db, for other services' own tables (cron state): keep writes short, they share the log writer's
   * connection. Undefined on PostgreSQL (logs/postgres-log-service.ts), where there is no aux.db.
   */
  readonly auxDb?: AuxDatabase;
  readonly table: LogsTable;
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
  /**
   * Write the queued batch now; settles once it (and every batch before it) is in `_logs` or dropped, staged
   * batches moved too (the logs routes call it before they read).
   */
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
const lengthOf = (v: string | undefined): number => (v === undefined ? 0 : v.length);
/**
 * A chunk holds a batch of typical requests (~100-150 bytes each) about twice over; larger records fill it
 * sooner (a record larger than a chunk is written on its own). Kept small: the whole ring is allocated up
 * front, and with 256 KiB chunks (13 MB in all) the runtime's helper threads (JSCWarmUp, mi-scavenger) took
 * ~10 µs more CPU per get-by-id request than with a tiny ring, log on or off (4 runs on a shared, noisy box).
 */
const CHUNK_BYTES = 64 * 1024;
const MAX_CHUNKS = 64;
/**
 * Batches come every ~10 ms at 20k requests/s, every 200 ms at 1k/s: staging starts above ~2k requests/s. The
 * bound is ~130k typical requests (~120 bytes each as staged), which the writer moves in ~0.7 s of its CPU: the
 * most a read of the logs waits for, and the longest burst whose log upkeep is put off.
 */
const IDLE_MS = 100;
const MAX_STAGED_BYTES = 16 * 1024 * 1024;
/**
 * A running writer thread holds ~6 MB (its heap, its aux.db connection, its runtime's pages), a third of what an
 * idle server holds besides the executable's code: it stops after this long without a batch. Starting it again
 * costs the next batch ~ms of the writer's own CPU, off the request path (the batch waits in the ring meanwhile).
 */
const STOP_IDLE_WRITER_MS = 30_000;

interface InFlight {
  /** the ring chunk holding its records */
  chunk: number;
  count: number;
  /** flush() callers waiting for this batch (and so every batch before it) */
  waiters: Array<() => void>;
}

/** The log service over aux.db (SQLite): its `auxDb` always there. */
export type SqliteLogService = LogService & {
  readonly auxDb: AuxDatabase;
  /** the writer thread now: none (stopped while idle, or writing inline), running, or stopping for being idle */
  writerThread(): 'none' | 'running' | 'stopping';
};

export function createLogService(opts: LogServiceOptions): SqliteLogService {
  const auxDb = openAuxDatabase({ file: opts.file, busyTimeoutMs: opts.busyTimeoutMs });
  try {
    for (const ddl of LOGS_TABLE_DDL) auxDb.execute(ddl);
  } catch (err) {
    void auxDb.close();
    throw err;
  }
  const { now, report, flushMs, batchSize, maxPending } = logBatching(opts);
  const notes = createRequestNotes();
  const nextId = createLogIdSource();
  // enough chunks for maxPending entries in batches of batchSize (a chunk holds one batch), and one being filled
  const ringInit = createRing(Math.max(2, Math.min(MAX_CHUNKS, Math.ceil(maxPending / batchSize) + 1)), CHUNK_BYTES);
  const ring = ringViews(ringInit);
  const filling = createRingWriter(ring);
  /** published batches not yet answered, in publication order */
  const inFlight = new Map<number, InFlight>();
  let inFlightRows = 0;
  let droppedCount = 0;
  let failing = false;
  let soon: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let batchId = 0;
  let urlIndex = 0;
  let thread: Worker | undefined;
  let threadLoaded = false;
  /** a writer thread stopped for being idle, until it has exited: no other may read the ring meanwhile */
  let retiring: Promise<void> | undefined;
  /** when the last batch was handed over (Date.now()) */
  let lastPublishAt = 0;
  let idleCheck: ReturnType<typeof setTimeout> | undefined;
  const stopIdleWriterMs = opts.stopIdleWriterMs ?? STOP_IDLE_WRITER_MS;
  let inline = opts.inline === true;
  /** flush() callers waiting for the writer to have moved every staged batch, by their CTL_SETTLE_ASKED number */
  let settleAsked = 0;
  let settleWaiters: Array<{ asked: number; resolve: () => void }> = [];

  const keeps = (level: number, s: Settings['logs'] = opts.settings()): boolean => s.maxDays > 0 && level >= s.minLevel;
  /** what staged entries must reach to be moved into `_logs`: the settings may have changed since they were written */
  const minKeptLevel = (s: Settings['logs'] = opts.settings()): number => (s.maxDays > 0 ? s.minLevel : 0x7fffffff);
  Atomics.store(ring.ctl, CTL_MIN_LEVEL, minKeptLevel());

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

  /** Move the staged batches into `_logs` here (no writer thread runs: batches staged before a crash or stop). */
  const moveStagedHere = (): void => {
    try {
      while (moveStagedBatch(auxDb, nextId, minKeptLevel()) > 0);
    } catch (err) {
      report(`galley: staged log entries could not be moved into _logs (${String(err)})`);
    }
  };

  const answerSettled = (asked: number): void => {
    const waiting = settleWaiters;
    settleWaiters = waiting.filter((w) => w.asked > asked);
    for (const w of waiting) if (w.asked <= asked) w.resolve();
  };

  const settle = (id: number): void => {
    const job = inFlight.get(id);
    if (!job) return;
    inFlight.delete(id);
    inFlightRows -= job.count;
    for (const w of job.waiters) w();
  };

  /** The worker is gone: batches it never loaded go to the next place to load it from, else are written here. */
  const abandonThread = (loaded: boolean, err: unknown): void => {
    thread = undefined;
    threadLoaded = false;
    if (!loaded && !closed && ++urlIndex < WORKER_URLS.length) {
      // the next worker reads the batches still published in the ring
      startThread();
      if ((thread as Worker | undefined) !== undefined) return;
    }
    inline = true;
    for (const [id, job] of [...inFlight]) {
      if (Atomics.load(ring.ctl, stateAt(job.chunk)) === CHUNK_PUBLISHED) {
        if (loaded) drop(job.count, `the log writer thread stopped (${String(err)})`);
        else writeInline(readChunk(ring, job.chunk), job.count);
        freeChunk(ring, job.chunk);
      }
      settle(id);
    }
    if (!closed) moveStagedHere();
    answerSettled(Infinity);
  };

  function startThread(): void {
    try {
      const init: LogWriterInit = {
        file: opts.file, busyTimeoutMs: opts.busyTimeoutMs, ring: ringInit, idleMs: opts.idleMs ?? IDLE_MS, maxStagedBytes: opts.maxStagedBytes ?? MAX_STAGED_BYTES,
      };
      const worker = new Worker(WORKER_URLS[urlIndex]!, { workerData: init });
      worker.unref();
      thread = worker;
      let loaded = false;
      let gone = false;
      worker.on('message', (msg: LogWriterReply) => {
        if ('ready' in msg) {
          loaded = true;
          threadLoaded = true;
          if (thread === worker) checkIdleLater(stopIdleWriterMs);
          return;
        }
        if ('settled' in msg) return answerSettled(msg.settled);
        if ('moveError' in msg) {
          if (!failing) report(`galley: staged log entries could not be moved into _logs (${msg.moveError}); they stay staged`);
          failing = true;
          return;
        }
        if ('error' in msg) drop(inFlight.get(msg.id)?.count ?? 0, `aux.db could not be written (${msg.error})`);
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

  /** Stop the writer thread once no batch came for stopIdleWriterMs (looked at again until then). */
  const checkIdleLater = (delay: number): void => {
    clearTimeout(idleCheck);
    idleCheck = setTimeout(stopIdleThread, delay);
    (idleCheck as { unref?: () => void }).unref?.();
  };

  /**
   * The writer stops as on close (staged batches moved first, log-writer-worker.ts) and exits; a batch published
   * meanwhile waits in the ring, and the writer started after the exit goes on from the last batch this one did.
   */
  const stopIdleThread = (): void => {
    idleCheck = undefined;
    const worker = thread;
    if (closed || !worker || !threadLoaded) return;
    const quietMs = Date.now() - lastPublishAt;
    if (quietMs < stopIdleWriterMs || inFlight.size > 0 || filling.count > 0 || settleWaiters.length > 0) {
      checkIdleLater(Math.max(stopIdleWriterMs - quietMs, 100));
      return;
    }
    thread = undefined;
    threadLoaded = false;
    // as close's stopThread: a writer that does not end by itself is terminated
    const deadline = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
    (deadline as { unref?: () => void }).unref?.();
    retiring = new Promise<void>((resolve) => {
      worker.once('exit', () => {
        clearTimeout(deadline);
        retiring = undefined;
        // batches it finished whose answer did not arrive before its exit
        const done = Atomics.load(ring.ctl, CTL_DONE);
        for (const id of [...inFlight.keys()]) if (id <= done) settle(id);
        Atomics.store(ring.ctl, CTL_CLOSE, 0);
        if (!closed && (inFlight.size > 0 || settleWaiters.length > 0)) startThread();
        resolve();
      });
    });
    filling.close();
  };

  /**
   * Hand the chunk being filled to the writer as one batch: publish it in the ring (the writer thread wakes and
   * writes it), or write it here when no writer thread runs.
   */
  const publish = (): void => {
    if (soon) clearTimeout(soon);
    soon = undefined;
    if (filling.count === 0) return;
    // while a stopped writer exits, the batch waits in the ring for the one started after it
    if (!inline && !thread && !retiring) startThread();
    const id = ++batchId;
    const batch = filling.publish(id)!;
    lastPublishAt = Date.now();
    if (inline || (!thread && !retiring)) {
      writeInline(readChunk(ring, batch.chunk), batch.count);
      freeChunk(ring, batch.chunk);
      return;
    }
    inFlightRows += batch.count;
    inFlight.set(id, { chunk: batch.chunk, count: batch.count, waiters: [] });
  };

  /** Every staged batch moved into `_logs`: by the writer thread when one runs (it is asked through the ring), else here. */
  const moveStaged = (): Promise<void> => {
    // the stopping writer moves what is staged before it exits; then look again
    if (retiring) return retiring.then(moveStaged);
    if (!thread) {
      moveStagedHere();
      return Promise.resolve();
    }
    const asked = ++settleAsked;
    Atomics.store(ring.ctl, CTL_SETTLE_ASKED, asked);
    Atomics.notify(ring.ctl, CTL_PUBLISHED);
    return new Promise<void>((resolve) => settleWaiters.push({ asked, resolve }));
  };

  const flush = async (): Promise<void> => {
    if (closed) return;
    if (retiring) await retiring;
    publish();
    let last: InFlight | undefined;
    for (const job of inFlight.values()) last = job;
    if (last) {
      const job = last;
      await new Promise<void>((resolve) => job.waiters.push(resolve));
    }
    if (!closed) await moveStaged();
  };

  /** Append one record (its text and level) to the batch being filled; a full batch is handed over after this turn. */
  const append = (record: string, level: number): void => {
    if (filling.count + inFlightRows >= maxPending) {
      droppedCount++;
      return;
    }
    let appended = filling.append(record, level);
    if (appended === 'chunk-full') {
      publish();
      appended = filling.append(record, level);
    }
    if (appended === 'full') {
      droppedCount++;
      return;
    }
    if (appended === 'oversized') {
      // larger than a chunk (a huge app entry): written on its own, here
      writeInline(record, 1);
      return;
    }
    // off the request path: the batch is handed over once the current turn has answered
    if (filling.count >= batchSize && !soon) soon = setTimeout(publish, 0);
  };

  const write = (entry: LogEntry): void => {
    if (closed || !keeps(entry.level)) return;
    append(encodeEntryRecord(entry.created ?? now(), entry.level, entry.message, entry.data), entry.level);
  };

  const writeRequest = (request: Request, status: number, execTime: number, userIP?: string, remoteIP?: string): void => {
    if (closed) return;
    const note = notes.get(request);
    if (note?.skipSuccess && status < 400) return;
    const s = opts.settings();
    const level = requestLevel(status);
    if (!keeps(level, s)) return;
    const auth = note?.auth;
    const headers = request.headers;
    const method = request.method;
    const url = request.url;
    const userAgent = headers.get('user-agent') ?? undefined;
    const referer = headers.get('referer') ?? undefined;
    const authCollection = auth?.collection;
    const authId = auth && s.logAuthId ? auth.id : undefined;
    const errorText = note?.error === undefined ? undefined : JSON.stringify(note.error);
    const created = now();
    // the usual case: the facts go straight into the ring as bytes (a value a 'q' record cannot hold: the text form below)
    const bound = requestRecordBound(
      method.length + url.length + lengthOf(userAgent) + lengthOf(referer) + lengthOf(authCollection) + lengthOf(authId) + lengthOf(userIP) +
        lengthOf(remoteIP) + lengthOf(errorText),
    );
    if (filling.count + inFlightRows >= maxPending) {
      droppedCount++;
      return;
    }
    let at = filling.reserve(bound);
    if (at === 'chunk-full') {
      publish();
      at = filling.reserve(bound);
    }
    if (at === 'full') {
      droppedCount++;
      return;
    }
    if (at !== 'oversized' && at !== 'chunk-full') {
      const end = writeRequestRecord(filling.view, at, created, status, execTime, method, url, userAgent, referer, authCollection, authId, userIP, remoteIP, errorText);
      if (end >= 0) {
        filling.commit(end, level);
        if (filling.count >= batchSize && !soon) soon = setTimeout(publish, 0);
        return;
      }
    }
    append(encodeRequestRecord(created, status, execTime, method, url, userAgent, referer, authCollection, authId, userIP, remoteIP, errorText), level);
  };

  const trim = (): void => {
    if (closed) return;
    const s = opts.settings();
    const before = formatDateTime(new Date(now() - s.maxDays * DAY_MS));
    filling.filter((level) => keeps(level, s));
    Atomics.store(ring.ctl, CTL_MIN_LEVEL, minKeptLevel(s));
    try {
      // wire: PocketBase's cleanup on settings reload, through the indexes (log-entry.ts)
      auxDb.execute(DELETE_OLD_LOGS_SQL, [before, before, s.minLevel]);
    } catch (err) {
      report(`galley: old log entries could not be deleted from aux.db (${String(err)})`);
    }
  };

  const stopThread = async (): Promise<void> => {
    const worker = thread;
    if (!worker) return;
    thread = undefined;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    if (threadLoaded) filling.close();
    else void worker.terminate();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    void worker.terminate();
  };

  const ticker = setInterval(publish, flushMs);
  (ticker as { unref?: () => void }).unref?.();
  trim();
  // batches staged when the last run stopped or crashed: moved by the writer as soon as it runs
  if (countStagedBytes(auxDb) > 0) {
    if (inline) moveStagedHere();
    else startThread();
  }

  return {
    auxDb,
    table: { db: auxDb.db, dialect: sqliteDialect },
    write,
    writeRequest,
    isEnabled: () => !closed && opts.settings().maxDays > 0,
    noteRequest: notes.note,
    flush,
    trim,
    dropped: () => droppedCount,
    writerThread: () => (thread ? 'running' : retiring ? 'stopping' : 'none'),
    close: runOnce(async () => {
      clearInterval(ticker);
      clearTimeout(idleCheck);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
      closed = true;
      clearTimeout(idleCheck);
      await stopThread();
      await auxDb.close();
    }),
  };
}
