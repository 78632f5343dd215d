/**
 * Galley's own bookkeeping tables in data.db: the applied schema, the migration history and a small
 * key/value store (per-collection token secrets and similar). Created at open, so they always exist.
 */
import type { SqliteHandle } from './driver.ts';

export const PARAMS_TABLE = '_galley_params';
export const SCHEMA_TABLE = '_galley_schema';
export const MIGRATIONS_TABLE = '_galley_migrations';

/** Tables whose names a collection may not take. */
export const META_TABLES: readonly string[] = [PARAMS_TABLE, SCHEMA_TABLE, MIGRATIONS_TABLE];

/**
 * Their DDL as fixed text (what Kysely's schema builder compiled it to, so existing files and new ones hold the same
 * CREATE statements): building it with Kysely cost a few ms of cold code on every start.
 */
const META_DDL: readonly string[] = [
  `create table if not exists "${PARAMS_TABLE}" ("key" text not null primary key, "value" text not null, "updated" text not null)`,
  `create table if not exists "${SCHEMA_TABLE}" ("id" integer not null primary key, "collections" json not null, "hash" text not null, "updated" text not null)`,
  `create table if not exists "${MIGRATIONS_TABLE}" ("id" integer not null primary key autoincrement, "applied" text not null, ` +
    `"hash" text not null, "steps" json not null, "sql" json not null)`,
];

/**
 * Creates the bookkeeping tables if missing, in one transaction on the given (writer) handle. When all of them are
 * there (every start but the first) nothing is written: no write transaction to wait for.
 */
export function ensureMetaTables(handle: SqliteHandle): void {
  const present = handle.prepare(`select count(*) as n from sqlite_master where type = 'table' and name in (?, ?, ?)`).all(META_TABLES)[0];
  if (present?.['n'] === META_TABLES.length) return;
  handle.exec('BEGIN IMMEDIATE');
  try {
    for (const stmt of META_DDL) handle.exec(stmt);
    handle.exec('COMMIT');
  } catch (err) {
    handle.exec('ROLLBACK');
    throw err;
  }
}

/** PocketBase's datetime text format ("2024-01-01 10:00:00.123Z"), used for our own timestamps too. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ');
}
