/**
 * The log service on PostgreSQL (`galley serve --database postgres://…`): the same face as log-service.ts, the
 * entries in the database's own `_logs` table (PocketBase's columns), so every instance behind one URL writes one
 * log the dashboard reads. Batched as on SQLite (wire: PocketBase's 3 s ticker and 200 entries): one INSERT of the
 * whole batch (`unnest` of five arrays) on a pool connection, off any write job; a failing database drops the
 * batch and says so once on stderr, never failing a request. A request's entry (redaction, caps, JSON) is built
 * when its batch is written, as the SQLite writer thread does; here that is this thread, between requests.
 */
import { sql, type Kysely } from 'kysely';
import type { Settings } from '../admin/settings-model.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { postgresDialect } from '../query/postgres-dialect.ts';
import type { LogEntry } from './log-entry.ts';
import { createLogIdSource, serializeData, type LogRow } from './log-rows.ts';
import type { LogService } from './log-service.ts';
import { createRequestNotes, logBatching, runOnce, type LogBatchingOptions } from './log-service-common.ts';
import { buildRequestLogRow, requestLevel, type RequestFacts } from './request-log.ts';

export interface PostgresLogServiceOptions extends LogBatchingOptions {
  /** the pool (never a write job's connection: a batch must not join whatever job runs around a flush) */
  db: Kysely<any>;
}

/**
 * wire: PocketBase's `_logs` columns. Dates are Galley's text (bytewise order, as on SQLite); `created` indexed for
 * the trim and the hour stats, `level` for the trim's other half. Run under the schema lock (instances starting
 * together would race on CREATE … IF NOT EXISTS).
 */
export const POSTGRES_LOGS_DDL = `
CREATE TABLE IF NOT EXISTS "_logs" (
  "id" text COLLATE "C" PRIMARY KEY NOT NULL,
  "level" integer DEFAULT 0 NOT NULL,
  "message" text COLLATE "C" DEFAULT '' NOT NULL,
  "data" text COLLATE "C" DEFAULT '{}' NOT NULL,
  "created" text COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_logs_level" ON "_logs" ("level");
CREATE INDEX IF NOT EXISTS "idx_logs_created" ON "_logs" ("created");
`;

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_DATA_CHARS = 64 * 1024;
const TRUNCATED_REQUEST = JSON.stringify({ type: 'request', truncated: true });

type Pending = { kind: 'entry'; level: number; row: LogRow } | { kind: 'request'; level: number; facts: RequestFacts; created: number };

export function createPostgresLogService(opts: PostgresLogServiceOptions): LogService {
  const { now, report, flushMs, batchSize, maxPending } = logBatching(opts);
  const notes = createRequestNotes();
  // ids are time-ordered with a random counter start: two instances' ids colliding is left to ON CONFLICT
  const nextId = createLogIdSource();
  let pending: Pending[] = [];
  let writing = 0;
  let droppedCount = 0;
  let failing = false;
  let closed = false;
  let soon: ReturnType<typeof setTimeout> | undefined;
  /** the last batch's write: batches go one after the other, so flush() waits for this one */
  let chain: Promise<void> = Promise.resolve();

  const keeps = (level: number, s: Settings['logs'] = opts.settings()): boolean => s.maxDays > 0 && level >= s.minLevel;

  const drop = (count: number, why: string): void => {
    droppedCount += count;
    if (!failing) report(`galley: ${count} log entries dropped: ${why}; further failures are not reported until a write succeeds`);
    failing = true;
  };

  const insert = async (batch: Pending[]): Promise<void> => {
    const ids: string[] = [];
    const levels: number[] = [];
    const messages: string[] = [];
    const data: string[] = [];
    const created: string[] = [];
    for (const p of batch) {
      const row = p.kind === 'entry' ? p.row : { ...buildRequestLogRow(p.facts), created: p.created };
      // as on SQLite (log-rows.ts): a request whose entry outgrew the cap (a huge error's details) keeps a marker
      if (row.data.length > MAX_DATA_CHARS) row.data = TRUNCATED_REQUEST;
      ids.push(nextId(row.created));
      levels.push(row.level);
      // PostgreSQL's text holds no NUL byte and one would fail the whole batch: a request line's unescaped path (or
      // an entry's message) keeps it as the path's own escape, %00 (data is JSON text: a NUL there is already \u0000)
      messages.push(row.message.replaceAll('\0', '%00'));
      data.push(row.data);
      created.push(formatDateTime(new Date(row.created)));
    }
    await sql`INSERT INTO "_logs" ("id", "level", "message", "data", "created")
      SELECT * FROM unnest(${ids}::text[], ${levels}::integer[], ${messages}::text[], ${data}::text[], ${created}::text[])
      ON CONFLICT ("id") DO NOTHING`.execute(opts.db);
  };

  const publish = (): void => {
    if (soon) clearTimeout(soon);
    soon = undefined;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    writing += batch.length;
    chain = chain.then(() =>
      insert(batch).then(
        () => void (failing = false),
        (err: unknown) => drop(batch.length, `the _logs table could not be written (${String((err as Error)?.message ?? err)})`),
      ).finally(() => void (writing -= batch.length)),
    );
  };

  const append = (p: Pending): void => {
    if (pending.length + writing >= maxPending) {
      droppedCount++;
      return;
    }
    pending.push(p);
    if (pending.length >= batchSize && !soon) soon = setTimeout(publish, 0);
  };

  const flush = (): Promise<void> => {
    if (closed) return Promise.resolve();
    publish();
    return chain;
  };

  const trim = (): void => {
    if (closed) return;
    const s = opts.settings();
    const before = formatDateTime(new Date(now() - s.maxDays * DAY_MS));
    pending = pending.filter((p) => keeps(p.level, s));
    // wire: PocketBase's cleanup (created <= date OR level < minLevel)
    chain = chain.then(() =>
      sql`DELETE FROM "_logs" WHERE "created" <= ${before} OR "level" < ${s.minLevel}`
        .execute(opts.db)
        .then(
          () => undefined,
          (err: unknown) => report(`galley: old log entries could not be deleted from _logs (${String((err as Error)?.message ?? err)})`),
        ),
    );
  };

  const ticker = setInterval(publish, flushMs);
  (ticker as { unref?: () => void }).unref?.();
  trim();

  return {
    table: { db: opts.db, dialect: postgresDialect },
    write(entry: LogEntry) {
      if (closed || !keeps(entry.level)) return;
      const created = entry.created ?? now();
      append({ kind: 'entry', level: entry.level, row: { level: entry.level, message: entry.message, data: serializeData(entry.data), created } });
    },
    writeRequest(request, status, execTime, userIP, remoteIP) {
      if (closed) return;
      const note = notes.get(request);
      if (note?.skipSuccess && status < 400) return;
      const s = opts.settings();
      const level = requestLevel(status);
      if (!keeps(level, s)) return;
      const headers = request.headers;
      const facts: RequestFacts = {
        method: request.method,
        url: request.url,
        status,
        execTime,
        userAgent: headers.get('user-agent') ?? undefined,
        referer: headers.get('referer') ?? undefined,
        auth: note?.auth?.collection,
        authId: note?.auth && s.logAuthId ? note.auth.id : undefined,
        userIP,
        remoteIP,
        error: note?.error === undefined ? undefined : JSON.stringify(note.error),
      };
      append({ kind: 'request', level, facts, created: now() });
    },
    isEnabled: () => !closed && opts.settings().maxDays > 0,
    noteRequest: notes.note,
    flush,
    trim,
    dropped: () => droppedCount,
    close: runOnce(async () => {
      clearInterval(ticker);
      await flush();
      closed = true;
    }),
  };
}
