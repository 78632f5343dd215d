/**
 * The log writer: entries are pushed into an in-memory batch (cheap, on the request path) and written to
 * aux.db's `_logs` off it, one transaction per batch: every few seconds, once the batch reaches a size, and
 * on close. aux.db being full, locked or broken never fails a request: the batch is dropped and the first
 * failure is reported once to stderr (not through the app logger, which writes here).
 * wire: PocketBase's BatchHandler (3 s ticker, 200 entries) and its logs settings (maxDays, minLevel).
 */
import type { Settings } from '../admin/settings-model.ts';
import { openAuxDatabase, type AuxDatabase } from '../db/open-aux.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { randomString } from '../lib/ids.ts';
import { LOGS_TABLE_DDL, type LogEntry } from './log-entry.ts';
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
  /** entries held while aux.db is unwritable before new ones are dropped (default 10,000) */
  maxPending?: number;
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
  /** Write the queued batch now (synchronously). */
  flush(): void;
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
const INSERT = 'INSERT INTO "_logs" ("id", "level", "message", "data", "created") VALUES (?, ?, ?, ?, ?)';

/** JSON of an entry's data; Error values as their message, bigints as text; oversized data is replaced. */
function serializeData(data: Record<string, unknown>): string {
  let text: string;
  try {
    text = JSON.stringify(data, (_k, v: unknown) => (v instanceof Error ? v.message : typeof v === 'bigint' ? String(v) : v));
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
  let pending: Pending[] = [];
  let droppedCount = 0;
  let failing = false;
  let soon: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const keeps = (level: number): boolean => {
    const s = opts.settings();
    return s.maxDays > 0 && level >= s.minLevel;
  };

  const flush = (): void => {
    if (soon) clearTimeout(soon);
    soon = undefined;
    if (pending.length === 0 || closed) return;
    const batch = pending;
    pending = [];
    try {
      auxDb.transaction((run) => {
        for (const e of batch) run(INSERT, [randomString(15), e.level, e.message, serializeData(e.data), formatDateTime(new Date(e.created))]);
      });
      failing = false;
    } catch (err) {
      droppedCount += batch.length;
      if (!failing) report(`galley: ${batch.length} log entries dropped: aux.db could not be written (${String(err)}); further failures are not reported until a write succeeds`);
      failing = true;
    }
  };

  const write = (entry: LogEntry): void => {
    if (closed || !keeps(entry.level)) return;
    if (pending.length >= maxPending) {
      droppedCount++;
      return;
    }
    pending.push({ level: entry.level, message: entry.message, data: entry.data, created: entry.created ?? clock().getTime() });
    // off the request path: the batch is written once the current turn has answered
    if (pending.length >= batchSize && !soon) soon = setTimeout(flush, 0);
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

  const ticker = setInterval(flush, opts.flushMs ?? 3000);
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
        flush();
        closed = true;
        await auxDb.close();
      })());
    },
  };
}
