/**
 * The database a migration runs on, with the schema dialect its SQL is written in: SQLite's `Database` (its
 * single writer is the lock), or PostgreSQL's, a bare `openPostgres` or a `Database` over PostgreSQL (one
 * transaction from the pool holding the schema's advisory lock, beside the writer: a migration sends no
 * events). The engine is read from the Kysely adapter below it, the one place the migrations tell them apart.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from '../database.ts';
import { runUnderPostgresSchemaLock, type OpenedPostgres } from '../open-postgres.ts';
import { POSTGRES_SCHEMA_CHANNEL } from '../postgres-ddl.ts';
import { postgresSchemaDialect } from './postgres-schema-dialect.ts';
import type { SchemaDialect } from './schema-dialect.ts';
import { sqliteSchemaDialect } from './sqlite-schema-dialect.ts';

export type MigrationTarget = Database | OpenedPostgres;

export interface MigrationScope {
  readonly dialect: SchemaDialect;
  /** reads of committed state (the applied schema, the history) */
  readonly read: Kysely<any>;
  /** `job` in one transaction that no other migration runs beside; it commits when `job` resolves */
  run<T>(job: (db: Kysely<any>) => Promise<T>): Promise<T>;
  /** Inside `run`: tells other instances, once the transaction commits, that the schema with `hash` is applied. */
  announce(db: Kysely<any>, hash: string): Promise<void>;
}

export function openMigrationScope(target: MigrationTarget): MigrationScope {
  const read = 'writer' in target ? target.read : target.db;
  if (read.getExecutor().adapter instanceof PostgresAdapter) {
    return {
      dialect: postgresSchemaDialect,
      read,
      run: (job) => runUnderPostgresSchemaLock(read, job),
      // NOTIFY is delivered at COMMIT, never for a migration that rolls back
      announce: async (db, hash) => void (await sql`SELECT pg_notify(${POSTGRES_SCHEMA_CHANNEL}, ${hash})`.execute(db)),
    };
  }
  if (!('writer' in target)) throw new Error('openMigrationScope: a bare Kysely must be PostgreSQL');
  // one process per SQLite file: nobody to tell
  return { dialect: sqliteSchemaDialect, read, run: (job) => target.writer.run((tx) => job(tx.db)), announce: () => Promise.resolve() };
}
