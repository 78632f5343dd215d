import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { FilterDialect } from '../query/dialect.ts';
import type { SqlConsole } from './sql-console.ts';

/**
 * The database as services see it: a reader for queries outside a write, and one writer path.
 * Both are Kysely instances; which SQLite driver sits below them is db/driver.ts's business alone.
 */
export interface Database {
  /**
   * Reads. Outside a write job: a separate connection that sees only committed data. Inside a job (code
   * running within `writer.run`): that job's connection, so it sees the job's own uncommitted writes.
   */
  readonly read: Kysely<any>;
  /**
   * A costly client-driven read (the cost model says so): run off the event loop with a deadline
   * (db/read-aside.ts). Inside a write job, on that job's connection like `read`.
   */
  readAside(query: CompiledQuery): Promise<QueryResult<unknown>>;
  /** The only way to write. */
  readonly writer: Writer;
  /** The SQL the filter compiler writes for this database: every FilterScope takes it from here (records/access.ts). */
  readonly dialect: FilterDialect;
  /** Path of the main database file. */
  readonly file: string;
  /** Superusers' raw SQL (POST /api/sql), each query in a child process of its own with a deadline. */
  readonly sqlConsole: SqlConsole;
  close(): Promise<void>;
}

/**
 * The one writer path. On SQLite (writer.ts) with group commit: jobs queued in one event-loop turn run in one
 * `BEGIN IMMEDIATE … COMMIT`, each inside its own SAVEPOINT, so a failing job fails alone; on PostgreSQL
 * (postgres-writer.ts) each job is a SERIALIZABLE transaction of its own, run again on a serialization failure.
 * `run` resolves only after the COMMIT that holds the job's writes has returned.
 * Called from inside a running job, `run` nests instead: the inner job runs at once in a savepoint of the
 * same transaction and settles when it ends (its failure undoes only its own writes); its afterCommit and
 * afterRollback wait for the outermost job's COMMIT or rollback. Inner jobs of one job run one at a time.
 */
export interface Writer {
  run<T>(job: (tx: WriteTx) => Promise<T>): Promise<T>;
}

export interface WriteTx {
  /** Kysely bound to the writer connection, inside the job's savepoint. Sees the job's own writes. */
  readonly db: Kysely<any>;
  /** The database's SQL dialect (Database.dialect), for code that has the transaction but not the Database. */
  readonly dialect: FilterDialect;
  /**
   * Runs after the commit that holds this job's writes (events, file cleanup). Never on rollback. A promise it
   * returns (after-commit hooks) holds the job's `run` back until it settles; its rejection is only logged.
   */
  afterCommit(fn: () => unknown): void;
  /** Runs if this job's savepoint is rolled back or the group's commit fails. */
  afterRollback(fn: () => void): void;
}
