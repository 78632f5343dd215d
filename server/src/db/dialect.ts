/**
 * Kysely dialects over a SqliteHandle: our own Driver/DatabaseConnection with Kysely's SQLite adapter,
 * compiler and introspector. Two flavours:
 * - a connection dialect (the reader): owns its handle, one query or transaction at a time;
 * - a job dialect (one per write job): borrows the writer's handle, refuses every statement once the
 *   job has ended, and maps Kysely transactions to nested SAVEPOINTs inside the job's own savepoint.
 */
import {
  DummyDriver,
  isCompilable,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryCompiler,
  type QueryId,
  type QueryResult,
} from 'kysely';
import type { SqliteHandle } from './driver.ts';
import { mapSqliteError } from './sqlite-errors.ts';

// Compilation is synchronous and resets its state per query, so one compiler serves every Kysely we make.
const sharedCompiler = new SqliteQueryCompiler();
const sharedAdapter = new SqliteAdapter();

class HandleConnection implements DatabaseConnection {
  constructor(
    readonly handle: SqliteHandle,
    private readonly check?: (sql: string) => void,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return Promise.resolve(this.runNow<R>(query));
  }

  runNow<R>(query: CompiledQuery): QueryResult<R> {
    this.check?.(query.sql);
    try {
      const stmt = this.handle.prepare(query.sql);
      if (stmt.returnsRows) return { rows: stmt.all(query.parameters) as R[] };
      const { changes, lastInsertRowid } = stmt.run(query.parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (err) {
      // A busy/locked/full/IO error is never passed on raw (→ 503); the rest stays for the caller to map.
      const mapped = mapSqliteError(err);
      throw mapped?.kind === 'unavailable' ? mapped : err;
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(query);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}

function buildDialect(createDriver: () => Driver): Dialect {
  return {
    createDriver,
    createAdapter: () => sharedAdapter,
    createQueryCompiler: (): QueryCompiler => sharedCompiler,
    createIntrospector: (db) => new SqliteIntrospector(db),
  };
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A connection dialect that can also run one statement straight away (see `runNow`). */
export interface ConnectionDialect extends Dialect {
  /**
   * Runs one statement on the connection at once, outside Kysely's executor (its connection provider and
   * result hops cost more than a point lookup's own JS): undefined when a query or read transaction holds the
   * connection, so the statement never lands inside another caller's BEGIN … COMMIT (an older snapshot).
   */
  runNow(query: CompiledQuery): QueryResult<unknown> | undefined;
}

/** The reader's dialect: a mutex keeps a read transaction (BEGIN … COMMIT) from interleaving with other reads. */
export function createConnectionDialect(handle: SqliteHandle, onDestroy: () => void): ConnectionDialect {
  const connection = new HandleConnection(handle);
  let locked = false;
  const waiters: Array<() => void> = [];
  const exec = (sql: string): Promise<void> => {
    handle.prepare(sql).run();
    return Promise.resolve();
  };
  const driver: Driver = {
    init: () => Promise.resolve(),
    acquireConnection() {
      if (!locked) {
        locked = true;
        return Promise.resolve(connection);
      }
      return new Promise((resolve) => waiters.push(() => resolve(connection)));
    },
    releaseConnection() {
      const next = waiters.shift();
      if (next) next();
      else locked = false;
      return Promise.resolve();
    },
    beginTransaction: () => exec('BEGIN'),
    commitTransaction: () => exec('COMMIT'),
    rollbackTransaction: () => exec('ROLLBACK'),
    savepoint: (_c, name) => exec(`SAVEPOINT ${quoteName(name)}`),
    rollbackToSavepoint: (_c, name) => exec(`ROLLBACK TO ${quoteName(name)}`),
    releaseSavepoint: (_c, name) => exec(`RELEASE ${quoteName(name)}`),
    destroy() {
      onDestroy();
      return Promise.resolve();
    },
  };
  return { ...buildDialect(() => driver), runNow: (query) => (locked ? undefined : connection.runNow(query)) };
}

/**
 * The reader's Kysely. `executeQuery` of an already compiled statement (the cached get by id, a list page) runs
 * at once when the connection is free: Kysely's executor (connection provider, result hops) costs more JS per
 * call than a point lookup's own work. Everything else (builders, transactions) goes through Kysely as usual.
 */
class ReaderKysely extends Kysely<any> {
  readonly #dialect: ConnectionDialect;

  constructor(dialect: ConnectionDialect) {
    super({ dialect });
    this.#dialect = dialect;
  }

  override executeQuery<R>(query: CompiledQuery<R> | Compilable<R>, queryId?: QueryId): Promise<QueryResult<R>> {
    if (queryId === undefined && !isCompilable(query)) {
      try {
        const now = this.#dialect.runNow(query);
        if (now) return Promise.resolve(now as QueryResult<R>);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return super.executeQuery(query, queryId);
  }
}

export function createReaderKysely(dialect: ConnectionDialect): Kysely<any> {
  return new ReaderKysely(dialect);
}

const TX_CONTROL = /^\s*(begin|commit|end|rollback|release|savepoint)\b/i;

/** A job dialect that can also run one compiled statement at once on the job's connection (writer.ts). */
export interface JobDialect extends Dialect {
  /** Runs `query` now, through the same checks as Kysely's path (job live, no transaction control). */
  runNow(query: CompiledQuery): QueryResult<unknown>;
}

/**
 * A write job's dialect. `isActive` turns false when the job settles; after that every statement throws,
 * so a job cannot write outside its savepoint. Raw transaction control is refused: use `db.transaction()`.
 */
export function createJobDialect(handle: SqliteHandle, isActive: () => boolean): JobDialect {
  const assertActive = (): void => {
    if (!isActive()) throw new Error('WriteTx used after its job ended; run the statement inside writer.run()');
  };
  const connection = new HandleConnection(handle, (sql) => {
    assertActive();
    if (TX_CONTROL.test(sql)) {
      throw new Error('transaction control inside a write job; use tx.db.transaction() (a nested savepoint)');
    }
  });
  const open: string[] = [];
  let counter = 0;
  const exec = (sql: string): Promise<void> => {
    assertActive();
    handle.prepare(sql).run();
    return Promise.resolve();
  };
  const driver: Driver = {
    init: () => Promise.resolve(),
    acquireConnection: () => Promise.resolve(connection),
    releaseConnection: () => Promise.resolve(),
    beginTransaction() {
      const name = `galley_nested_${++counter}`;
      open.push(name);
      return exec(`SAVEPOINT ${name}`);
    },
    async commitTransaction() {
      await exec(`RELEASE ${open.pop()}`);
    },
    async rollbackTransaction() {
      const name = open.pop();
      await exec(`ROLLBACK TO ${name}`);
      await exec(`RELEASE ${name}`);
    },
    savepoint: (_c, name) => exec(`SAVEPOINT ${quoteName(name)}`),
    rollbackToSavepoint: (_c, name) => exec(`ROLLBACK TO ${quoteName(name)}`),
    releaseSavepoint: (_c, name) => exec(`RELEASE ${quoteName(name)}`),
    destroy: () => Promise.resolve(),
  };
  return { ...buildDialect(() => driver), runNow: (query) => connection.runNow(query) };
}

/** A Kysely that only compiles (no connection): for DDL run synchronously on a handle at open time. */
export function createCompileOnlyKysely(): Kysely<any> {
  return new Kysely<any>({ dialect: buildDialect(() => new DummyDriver()) });
}
