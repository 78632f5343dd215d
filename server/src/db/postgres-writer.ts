/**
 * The write path on PostgreSQL, with the SQLite writer's face (db/database.ts `Writer`, `WriteTx`): a job is one
 * SERIALIZABLE transaction on a connection of its own from the pool, and its promise settles only after its COMMIT.
 * No single writer and no group commit: PostgreSQL orders concurrent transactions itself, and SERIALIZABLE keeps
 * the guarantee the SQLite writer gives by running one job at a time (a job's reads and checks — If-Match, the
 * create rule, a cascade's referencing rows — still hold when it commits).
 *
 * A job PostgreSQL could not serialize (40001) or picked as a deadlock victim (40P01) is run again from the start,
 * up to `maxAttempts` times, then answered 503 + Retry-After (db/postgres-errors.ts); the callbacks an abandoned
 * attempt registered are dropped unrun (the next attempt registers its own).
 *
 * `run` called from inside a running job (db/write-scope.ts) nests as on SQLite: a SAVEPOINT of the same
 * transaction, one inner job at a time per job, its afterCommit and afterRollback joining the enclosing job's.
 */
import { isCompilable, sql, type Compilable, type CompiledQuery, type Kysely, type KyselyPlugin, type QueryId } from 'kysely';
import { GalleyError } from '../errors.ts';
import { postgresDialect } from '../query/postgres-dialect.ts';
import type { WriteTx, Writer } from './database.ts';
import { mapPostgresError } from './postgres-errors.ts';
import { RETRY_AFTER_SECONDS } from './sqlite-errors.ts';
import { findWriteScope, isTokenLive, runInWriteScope, type ScopeToken, type WriteScope } from './write-scope.ts';
import type { LogFn } from './writer.ts';

export interface PostgresWriterOptions {
  log?: LogFn;
  /** Runs of one job when PostgreSQL cannot serialize it or breaks a deadlock with it (default 8). */
  maxAttempts?: number;
}

export interface PostgresWriterStats {
  /** Outermost jobs begun (a retried job counts once). */
  jobs: number;
  commits: number;
  /** Jobs that settled with an error (their transaction rolled back). */
  failedJobs: number;
  /** Attempts run again after a serialization failure or a deadlock. */
  retries: number;
}

export interface PostgresWriter extends Writer {
  stats(): PostgresWriterStats;
  /** Resolves when every running job has settled. */
  drain(): Promise<void>;
  /** Refuses new jobs, then drains. */
  close(): Promise<void>;
}

/** Inner jobs of one job run one after another (two open at once would release each other's savepoint). */
interface JobScope extends WriteScope {
  innerTail: Promise<void>;
  /** The transaction itself, without a job's guard: the writer's own SAVEPOINT statements go through it. */
  readonly conn: Kysely<any>;
}

const TX_CONTROL = /^\s*(begin|start|commit|end|rollback|abort|release|savepoint|prepare)\b/i;

const RETRYABLE = new Set(['40001', '40P01']);

/** Whether PostgreSQL asks for the whole transaction to be run again: the error, or a cause it was wrapped in. */
export function isRetryablePostgresError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE.has(code)) return true;
  }
  return false;
}

const TX_ENDED = 'WriteTx used after its job ended; run the statement inside writer.run()';
const TX_CONTROL_REFUSED = 'transaction control inside a write job; use writer.run() inside the job (a nested savepoint)';

function guardPlugin(token: ScopeToken): KyselyPlugin {
  return {
    transformQuery(args) {
      if (!isTokenLive(token)) throw new Error(TX_ENDED);
      // a raw COMMIT would end the job's transaction under it (Kysely's own tx.db.transaction() already throws)
      const node = args.node as { kind: string; sqlFragments?: readonly string[] };
      if (node.kind === 'RawNode' && TX_CONTROL.test(node.sqlFragments?.[0] ?? '')) throw new Error(TX_CONTROL_REFUSED);
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}

/**
 * The same guard for an already compiled statement (a create's cached INSERT and rule check), which Kysely runs
 * without the plugins' transformQuery: a kept tx (an inner job's, while its enclosing job runs on) or a compiled
 * COMMIT would otherwise write outside the job's savepoint or end its transaction.
 */
function guardCompiled(db: Kysely<any>, token: ScopeToken): Kysely<any> {
  const viaKysely = db.executeQuery.bind(db);
  db.executeQuery = ((query: CompiledQuery | Compilable, queryId?: QueryId) => {
    if (!isCompilable(query)) {
      if (!isTokenLive(token)) return Promise.reject(new Error(TX_ENDED));
      if (TX_CONTROL.test(query.sql)) return Promise.reject(new Error(TX_CONTROL_REFUSED));
    }
    return viaKysely(query as CompiledQuery, queryId);
  }) as Kysely<any>['executeQuery'];
  return db;
}

/** Runs the callbacks; answers the promises they returned (after-commit hooks), if any, never rejecting. */
function runCallbacks(fns: Array<() => void>, what: string, log: LogFn): Promise<unknown>[] | undefined {
  let waits: Promise<unknown>[] | undefined;
  const logThrow = (err: unknown) => log('error', `${what} callback threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  for (const fn of fns) {
    try {
      const out = fn() as unknown;
      if (out instanceof Promise) (waits ??= []).push(out.catch(logThrow));
    } catch (err) {
      logThrow(err);
    }
  }
  return waits;
}

/** `pool`: a Kysely over the pool (open-postgres.ts); each job takes one connection of it for its transaction. */
export function createPostgresWriter(pool: Kysely<any>, opts: PostgresWriterOptions = {}): PostgresWriter {
  const log: LogFn = opts.log ?? (() => {});
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 8);
  const stats: PostgresWriterStats = { jobs: 0, commits: 0, failedJobs: 0, retries: 0 };
  let running = 0;
  let closed = false;
  let innerCounter = 0;
  const idleWaiters: Array<() => void> = [];

  const createTx = (db: Kysely<any>, token: ScopeToken, commits: Array<() => void>, rollbacks: Array<() => void>): WriteTx => ({
    db: guardCompiled(db.withPlugin(guardPlugin(token)), token),
    dialect: postgresDialect,
    afterCommit(fn) {
      if (!token.active) throw new Error('afterCommit registered after the job ended');
      commits.push(fn);
    },
    afterRollback(fn) {
      if (!token.active) throw new Error('afterRollback registered after the job ended');
      rollbacks.push(fn);
    },
  });

  const openScope = (conn: Kysely<any>, token: ScopeToken, tx: WriteTx, commits: Array<() => void>, rollbacks: Array<() => void>): JobScope => ({
    owner: self,
    token,
    conn,
    db: tx.db,
    afterCommit: commits,
    afterRollback: rollbacks,
    innerTail: Promise.resolve(),
  });

  /**
   * One attempt: the job in one transaction on one pool connection (Kysely's: COMMIT when the job returns,
   * ROLLBACK when it throws; a connection lost meanwhile is dropped by the pool, and the server rolls back).
   */
  function runAttempt<T>(job: (tx: WriteTx) => Promise<T>, commits: Array<() => void>, rollbacks: Array<() => void>): Promise<T> {
    return pool
      .transaction()
      .setIsolationLevel('serializable')
      .execute(async (conn) => {
        const token: ScopeToken = { active: true, parent: null };
        const tx = createTx(conn, token, commits, rollbacks);
        try {
          const value = await runInWriteScope(openScope(conn, token, tx, commits, rollbacks), () => job(tx));
          // an inner job whose savepoint could not be rolled back poisons its job: nothing of it may commit
          if (!token.active) throw new Error('an inner job could not be rolled back');
          return value;
        } finally {
          token.active = false;
        }
      });
  }

  async function runOuter<T>(job: (tx: WriteTx) => Promise<T>): Promise<T> {
    stats.jobs++;
    for (let attempt = 1; ; attempt++) {
      const commits: Array<() => void> = [];
      const rollbacks: Array<() => void> = [];
      let value: T;
      try {
        value = await runAttempt(job, commits, rollbacks);
      } catch (err) {
        if (attempt < maxAttempts && isRetryablePostgresError(err)) {
          stats.retries++;
          // apart, more each time (random, up to 1, 2, 4 … 64 ms), so the transactions that collided do not collide again at once
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(64, 2 ** (attempt - 1))));
          continue;
        }
        stats.failedJobs++;
        runCallbacks(rollbacks, 'afterRollback', log);
        throw mapPostgresError(err) ?? err;
      }
      stats.commits++;
      // a job is answered once its after-commit work that returned a promise (after-commit hooks) has settled
      const waits = runCallbacks(commits, 'afterCommit', log);
      if (waits) await Promise.all(waits);
      return value;
    }
  }

  /** A job run from inside `outer`'s job: a savepoint of the same transaction, settled at once. */
  async function runInner<T>(outer: JobScope, job: (tx: WriteTx) => Promise<T>): Promise<T> {
    const previous = outer.innerTail;
    let done!: () => void;
    outer.innerTail = new Promise<void>((resolve) => (done = resolve));
    try {
      await previous;
      return await runInnerNow(outer, job);
    } finally {
      done();
    }
  }

  async function runInnerNow<T>(outer: JobScope, job: (tx: WriteTx) => Promise<T>): Promise<T> {
    if (!isTokenLive(outer.token)) throw new Error('writer.run called from a write job that has ended');
    const token: ScopeToken = { active: true, parent: outer.token };
    const commits: Array<() => void> = [];
    const rollbacks: Array<() => void> = [];
    const conn = outer.conn;
    const tx = createTx(conn, token, commits, rollbacks);
    const name = sql.id(`galley_inner_${++innerCounter}`);
    await sql`SAVEPOINT ${name}`.execute(conn);
    let value: T;
    try {
      value = await runInWriteScope(openScope(conn, token, tx, commits, rollbacks), () => job(tx));
      if (!token.active) throw new Error('an inner job could not be rolled back');
    } catch (err) {
      token.active = false;
      // An enclosing job that ended already rolled back everything inside it, this savepoint included.
      if (isTokenLive(outer.token)) {
        try {
          await sql`ROLLBACK TO SAVEPOINT ${name}`.execute(conn);
          await sql`RELEASE SAVEPOINT ${name}`.execute(conn);
        } catch (rollbackErr) {
          log('error', `rollback of a failed inner job failed: ${String(rollbackErr)}`);
          outer.token.active = false;
        }
      }
      runCallbacks(rollbacks, 'afterRollback', log);
      throw mapPostgresError(err) ?? err;
    }
    token.active = false;
    if (!isTokenLive(outer.token)) {
      runCallbacks(rollbacks, 'afterRollback', log);
      throw new Error('the enclosing write job ended before its inner job');
    }
    await sql`RELEASE SAVEPOINT ${name}`.execute(conn);
    outer.afterCommit.push(...commits);
    outer.afterRollback.push(...rollbacks);
    return value;
  }

  const settleIdle = (): void => {
    if (running > 0) return;
    for (const w of idleWaiters.splice(0)) w();
  };

  const self: PostgresWriter = {
    run<T>(job: (tx: WriteTx) => Promise<T>): Promise<T> {
      const scope = findWriteScope(self) as JobScope | undefined;
      if (scope) return runInner(scope, job);
      if (closed) return Promise.reject(new GalleyError('unavailable', 'The database is closing.', { retryAfter: RETRY_AFTER_SECONDS }));
      running++;
      return runOuter(job).finally(() => {
        running--;
        settleIdle();
      });
    },
    stats: () => ({ ...stats }),
    drain() {
      if (running === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    close() {
      closed = true;
      return this.drain();
    },
  };
  return self;
}
