/**
 * Galley's own bookkeeping tables in data.db: the applied schema, the migration history and a small
 * key/value store (per-collection token secrets and similar). Created at open, so they always exist.
 */
import type { Kysely } from 'kysely';
import { createCompileOnlyKysely } from './dialect.ts';
import type { SqliteHandle } from './driver.ts';

export const PARAMS_TABLE = '_galley_params';
export const SCHEMA_TABLE = '_galley_schema';
export const MIGRATIONS_TABLE = '_galley_migrations';

/** Tables whose names a collection may not take. */
export const META_TABLES: readonly string[] = [PARAMS_TABLE, SCHEMA_TABLE, MIGRATIONS_TABLE];

function buildMetaDdl(db: Kysely<any>): string[] {
  return [
    db.schema
      .createTable(PARAMS_TABLE)
      .ifNotExists()
      .addColumn('key', 'text', (c) => c.primaryKey().notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated', 'text', (c) => c.notNull())
      .compile().sql,
    db.schema
      .createTable(SCHEMA_TABLE)
      .ifNotExists()
      .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
      .addColumn('collections', 'json', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('updated', 'text', (c) => c.notNull())
      .compile().sql,
    db.schema
      .createTable(MIGRATIONS_TABLE)
      .ifNotExists()
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement().notNull())
      .addColumn('applied', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('steps', 'json', (c) => c.notNull())
      .addColumn('sql', 'json', (c) => c.notNull())
      .compile().sql,
  ];
}

/** Creates the bookkeeping tables if missing, in one transaction on the given (writer) handle. */
export function ensureMetaTables(handle: SqliteHandle): void {
  const ddl = buildMetaDdl(createCompileOnlyKysely());
  handle.exec('BEGIN IMMEDIATE');
  try {
    for (const stmt of ddl) handle.exec(stmt);
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
