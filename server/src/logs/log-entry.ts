/**
 * One log line as PocketBase's `_logs` holds it: `id`, `created` (wire datetime, ms, UTC), `level`
 * (slog levels: -4 debug, 0 info, 4 warn, 8 error), `message`, `data` (a JSON object).
 */
export const LOG_LEVEL = { debug: -4, info: 0, warn: 4, error: 8 } as const;

/** What a writer hands the log service; `created` is stamped when it is written (ms since epoch). */
export interface LogEntry {
  level: number;
  message: string;
  data: Record<string, unknown>;
  created?: number;
}

/** A stored log as the routes answer it. */
export interface LogModel {
  id: string;
  created: string;
  data: Record<string, unknown>;
  message: string;
  level: number;
}

export const LOGS_TABLE = '_logs';

/**
 * wire: PocketBase's aux migration (1640988000_aux_init.go), created if missing, without its index on `message`:
 * the filters people write on messages (`message ~ 'x'`, the dashboard's search) are LIKE '%x%', which no index
 * serves, while keeping it cost about 60 % of a log row's insert (each request URL lands on a random index page).
 */
export const LOGS_TABLE_DDL = [
  `CREATE TABLE IF NOT EXISTS "_logs" (
    "id" TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL,
    "level" INTEGER DEFAULT 0 NOT NULL,
    "message" TEXT DEFAULT '' NOT NULL,
    "data" JSON DEFAULT '{}' NOT NULL,
    "created" TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL
  )`,
  `CREATE INDEX IF NOT EXISTS "idx_logs_level" ON "_logs" ("level")`,
  `DROP INDEX IF EXISTS "idx_logs_message"`,
  `CREATE INDEX IF NOT EXISTS "idx_logs_created_hour" ON "_logs" (strftime('%Y-%m-%d %H:00:00', "created"))`,
  // Galley: batches written while requests keep coming wait here as bytes (one row each, no index; queries redacted),
  // and move into `_logs` once the server is quiet, before any read of the logs (log-rows.ts moveStagedBatch)
  `CREATE TABLE IF NOT EXISTS "_logs_staged" ("id" INTEGER PRIMARY KEY, "batch" BLOB NOT NULL)`,
];

/**
 * wire: PocketBase's cleanup ("created <= date OR level < minLevel"); params [before, before, minLevel]. Written so
 * each side of the OR reads an index (idx_logs_created_hour, idx_logs_level): the plain `created <= ?` scanned the
 * whole table, on every start (trim) too, ~130 ms on 12k rows with nothing to delete (issue 16). A row's hour is at
 * most `before`'s hour whenever created <= before, so the rows are the same; an unparsable `created` (hour NULL)
 * is still judged by the text comparison alone.
 */
export const DELETE_OLD_LOGS_SQL =
  `DELETE FROM "_logs" WHERE ((strftime('%Y-%m-%d %H:00:00', "created") <= strftime('%Y-%m-%d %H:00:00', ?) ` +
  `OR strftime('%Y-%m-%d %H:00:00', "created") IS NULL) AND "created" <= ?) OR "level" < ?`;

/** A stored row → the wire model (`data` parsed; an unreadable value reads as `{}`). */
export function toLogModel(row: Record<string, unknown>): LogModel {
  let data: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(String(row['data'] ?? '{}'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed;
  } catch {
    data = {};
  }
  // wire: PocketBase's JSON field order (BaseModel id, then created, data, message, level)
  return { id: String(row['id']), created: String(row['created']), data, message: String(row['message']), level: Number(row['level']) };
}
