/**
 * A `Database` (db/database.ts, what services get as `core.db`) over PostgreSQL: reads from the pool (inside a
 * write job: that job's connection, as on SQLite), writes through db/postgres-writer.ts, and `dialect` the
 * PostgreSQL filter dialect, so every FilterScope the services build compiles for PostgreSQL.
 * `galley serve --database postgres://…` opens it (index.ts). What stays SQLite-only answers so: the SQL console.
 */
import { sql, type CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import { GalleyError } from '../errors.ts';
import { COSTLY_READ_DEADLINE_MS } from '../query/limits.ts';
import { postgresDialect } from '../query/postgres-dialect.ts';
import type { Database } from './database.ts';
import { openPostgres } from './open-postgres.ts';
import type { PostgresPoolOptions } from './postgres-driver.ts';
import { createPostgresWriter, type PostgresWriter } from './postgres-writer.ts';
import type { SqlConsole } from './sql-console.ts';
import { findScopedKysely } from './write-scope.ts';
import type { LogFn } from './writer.ts';

export interface OpenPostgresDatabaseOptions extends PostgresPoolOptions {
  log?: LogFn;
  /** How long a costly client-driven read may take (db.readAside, as `statement_timeout`); tests shorten it. */
  costlyReadDeadlineMs?: number;
  /** See PostgresWriterOptions. */
  maxWriteAttempts?: number;
}

export interface OpenedPostgresDatabase extends Database {
  readonly writer: PostgresWriter;
  /** `server_version_num`, e.g. 150014 */
  readonly serverVersion: number;
  /**
   * The pool itself, never a write job's connection: for work that must not join a job that happens to be
   * running around it (the log writer's batches, cron bookkeeping, the tables they set up).
   */
  readonly pool: Kysely<any>;
}

// SQLSTATE 57014: the statement ran past statement_timeout
const QUERY_CANCELED = '57014';

const sqliteOnlyConsole: SqlConsole = {
  run: () => Promise.reject(new GalleyError('invalid', 'The SQL console works on SQLite databases only: this server runs on PostgreSQL (use psql).')),
  close: () => Promise.resolve(),
};

export async function openPostgresDatabase(opts: OpenPostgresDatabaseOptions): Promise<OpenedPostgresDatabase> {
  const opened = await openPostgres(opts);
  const pool = opened.db;
  const writer = createPostgresWriter(pool, { log: opts.log, maxAttempts: opts.maxWriteAttempts });
  const deadlineMs = opts.costlyReadDeadlineMs ?? COSTLY_READ_DEADLINE_MS;
  // wire-compatible with db/read-aside.ts: a costly filter past its deadline is the same 400
  const tooSlow = (cause: unknown) =>
    new GalleyError('invalid', `filter is too complex: the query did not finish within ${deadlineMs / 1000} s and was stopped`, { cause });

  /** A costly read on a pool connection, stopped by the server at the deadline (PostgreSQL's own statement_timeout). */
  const readWithDeadline = (query: CompiledQuery): Promise<QueryResult<unknown>> =>
    pool.transaction().execute(async (trx) => {
      await sql`SELECT set_config('statement_timeout', ${String(Math.max(1, Math.round(deadlineMs)))}, true)`.execute(trx);
      try {
        return await trx.executeQuery(query);
      } catch (err) {
        throw (err as { code?: unknown }).code === QUERY_CANCELED ? tooSlow(err) : err;
      }
    });

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    await writer.close();
    await opened.close();
  };
  return {
    get read() {
      return findScopedKysely(writer) ?? pool;
    },
    readAside(query) {
      const scoped = findScopedKysely(writer);
      return scoped ? scoped.executeQuery(query) : readWithDeadline(query);
    },
    writer,
    dialect: postgresDialect,
    // no database file: what reads it (backups, the SQL console, the read-aside worker) is SQLite-only
    file: '',
    sqlConsole: sqliteOnlyConsole,
    serverVersion: opened.serverVersion,
    pool,
    close: () => (closing ??= close()),
  };
}
