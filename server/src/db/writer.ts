/**
 * The one writer path, with group commit (docs/ARCHITECTURE.md, "How a request travels"): the jobs queued in one
 * event-loop turn run in one `BEGIN IMMEDIATE … COMMIT`, each inside its own SAVEPOINT, so a failing job
 * fails alone and one fsync serves the whole group. A job's promise settles only after that COMMIT.
 *
 * `run` called from inside a running job (db/write-scope.ts) does not queue: the inner job runs at once in
 * its own savepoint of the same transaction, one inner job at a time per job, and its afterCommit and
 * afterRollback callbacks join the enclosing job's (a batch of record writes is one transaction).
 */
import { isCompilable, Kysely, type Compilable, type CompiledQuery, type KyselyPlugin, type QueryId } from 'kysely';
import { GalleyError } from '../errors.ts';
import { sqliteDialect } from '../query/dialect.ts';
import type { WriteTx, Writer } from './database.ts';
import { createJobDialect, type JobDialect } from './dialect.ts';
import type { SqliteHandle } from './driver.ts';
import { mapSqliteError, RETRY_AFTER_SECONDS } from './sqlite-errors.ts';
import type { WalSync } from './wal-sync.ts';
import { findWriteScope, isTokenLive, runInWriteScope, runOutsideWriteScope, type ScopeToken, type WriteScope } from './write-scope.ts';

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface WriterOptions {
  /** Most jobs in one transaction (bounds latency and the size of one rollback). */
  maxGroupJobs?: number;
  /** A group stops taking jobs once it has run this long; the rest go to the next group. */
  maxGroupMs?: number;
  log?: LogFn;
  /**
   * Set when the connection runs `synchronous=NORMAL` in place of FULL (db/wal-sync.ts): a group's jobs are
   * answered, and their after-commit callbacks run, only once this sync, started after the COMMIT, has finished.
   * The next group runs meanwhile.
   */
  durable?: WalSync;
}

export interface WriterStats {
  /** Transactions begun (one per group). */
  groups: number;
  commits: number;
  /** Groups whose BEGIN or COMMIT failed (every job of such a group rejected). */
  failedGroups: number;
  jobs: number;
  /** Jobs whose own savepoint was rolled back. */
  failedJobs: number;
  largestGroup: number;
  /** Groups committed whose jobs still wait for their WAL sync (options.durable). */
  awaitingSync: number;
}

export interface GroupWriter extends Writer {
  stats(): WriterStats;
  /** Resolves when every queued job has settled. */
  drain(): Promise<void>;
  /** Refuses new jobs, then drains. */
  close(): Promise<void>;
  /**
   * Holds new groups back (queued jobs wait, the event loop stays free) until the returned release is called:
   * for a connection outside this writer that must write (the SQL console), so this writer's BEGIN never
   * waits on SQLite's busy handler, which would block the thread. Resolves once no group is running.
   */
  pause(): Promise<() => void>;
}

interface Pending {
  job: (tx: WriteTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  value?: unknown;
  afterCommit: Array<() => void>;
  afterRollback: Array<() => void>;
}

const SAVEPOINT = 'galley_job';

/** Inner jobs of one job run one after another (two open at once would release each other's savepoint). */
interface JobScope extends WriteScope {
  innerTail: Promise<void>;
}

const TX_ENDED = 'WriteTx used after its job ended; run the statement inside writer.run()';

function guardPlugin(token: ScopeToken): KyselyPlugin {
  return {
    transformQuery(args) {
      if (!isTokenLive(token)) throw new Error(TX_ENDED);
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}

/**
 * A job's Kysely whose `executeQuery` of an already compiled statement (a create's cached INSERT and rule check)
 * runs it at once on the connection: Kysely's executor (connection provider, async result hops) cost ~2.3 µs of
 * CPU per statement. This tx's own token is checked first (Kysely's path left compiled statements to the dialect's
 * check of the running job, so a kept tx ran them inside a later job), then the dialect's checks; builders and
 * transactions go through Kysely as before.
 */
function withCompiledFastPath(db: Kysely<any>, token: ScopeToken, dialect: JobDialect): Kysely<any> {
  const viaKysely = db.executeQuery.bind(db);
  db.executeQuery = ((query: CompiledQuery | Compilable, queryId?: QueryId) => {
    if (queryId !== undefined || isCompilable(query)) return viaKysely(query as CompiledQuery, queryId);
    try {
      if (!isTokenLive(token)) throw new Error(TX_ENDED);
      return Promise.resolve(dialect.runNow(query));
    } catch (err) {
      return Promise.reject(err);
    }
  }) as Kysely<any>['executeQuery'];
  return db;
}

export function createWriter(handle: SqliteHandle, opts: WriterOptions = {}): GroupWriter {
  const maxGroupJobs = opts.maxGroupJobs ?? 1000;
  const maxGroupMs = opts.maxGroupMs ?? 50;
  const log: LogFn = opts.log ?? (() => {});
  const queue: Pending[] = [];
  const idleWaiters: Array<() => void> = [];
  const stats: WriterStats = { groups: 0, commits: 0, failedGroups: 0, jobs: 0, failedJobs: 0, largestGroup: 0, awaitingSync: 0 };
  const durable = opts.durable;
  let scheduled = false;
  let flushing = false;
  let closed = false;
  let pauses = 0;
  const flushEndWaiters: Array<() => void> = [];

  const exec = (sql: string): void => void handle.prepare(sql).run();
  let current: ScopeToken | null = null;
  let innerCounter = 0;
  const jobDialect = createJobDialect(handle, () => current !== null && isTokenLive(current));
  const jobKysely = new Kysely<any>({ dialect: jobDialect });

  /** Runs the callbacks; answers the promises they returned (an after-commit hook), if any, never rejecting. */
  const runCallbacks = (fns: Array<() => void>, what: string): Promise<unknown>[] | undefined => {
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
  };

  const schedule = (): void => {
    if (scheduled || flushing) return;
    scheduled = true;
    setImmediate(() => runOutsideWriteScope(() => void flush()));
  };

  const createTx = (token: ScopeToken, commits: Array<() => void>, rollbacks: Array<() => void>): WriteTx => ({
    // One shared Kysely per writer (building one per job cost more than the insert); the guard makes a
    // tx kept past its job throw instead of writing into a later job's savepoint.
    db: withCompiledFastPath(jobKysely.withPlugin(guardPlugin(token)), token, jobDialect),
    dialect: sqliteDialect,
    afterCommit(fn) {
      if (!token.active) throw new Error('afterCommit registered after the job ended');
      commits.push(fn);
    },
    afterRollback(fn) {
      if (!token.active) throw new Error('afterRollback registered after the job ended');
      rollbacks.push(fn);
    },
  });

  const openScope = (token: ScopeToken, tx: WriteTx, commits: Array<() => void>, rollbacks: Array<() => void>): JobScope => ({
    owner: self,
    token,
    db: tx.db,
    afterCommit: commits,
    afterRollback: rollbacks,
    innerTail: Promise.resolve(),
  });

  /**
   * Runs one job in its savepoint: 'ok' (released, waits for COMMIT), 'failed' (rolled back to its savepoint
   * and already rejected) or 'broken' (the rollback itself failed: the whole transaction must go).
   * Throws if SAVEPOINT or RELEASE fails, which also breaks the transaction.
   */
  async function runJob(p: Pending, solo: boolean): Promise<'ok' | 'failed' | 'broken' | 'rolled-back'> {
    const token: ScopeToken = { active: true, parent: null };
    current = token;
    const tx = createTx(token, p.afterCommit, p.afterRollback);
    // A group of one needs no savepoint: if its job fails, the whole transaction is rolled back instead.
    if (!solo) exec(`SAVEPOINT ${SAVEPOINT}`);
    try {
      p.value = await runInWriteScope(openScope(token, tx, p.afterCommit, p.afterRollback), () => p.job(tx));
      // An inner job whose savepoint could not be rolled back poisons its job: nothing of it may commit.
      if (!token.active) throw new Error('an inner job could not be rolled back');
    } catch (err) {
      token.active = false;
      stats.failedJobs++;
      let outcome: 'failed' | 'broken' | 'rolled-back' = solo ? 'rolled-back' : 'failed';
      try {
        if (solo) exec('ROLLBACK');
        else {
          exec(`ROLLBACK TO ${SAVEPOINT}`);
          exec(`RELEASE ${SAVEPOINT}`);
        }
      } catch (rollbackErr) {
        log('error', `rollback of a failed job failed: ${String(rollbackErr)}`);
        outcome = 'broken';
      }
      p.reject(mapSqliteError(err) ?? err);
      runCallbacks(p.afterRollback, 'afterRollback');
      return outcome;
    }
    token.active = false;
    if (!solo) exec(`RELEASE ${SAVEPOINT}`);
    return 'ok';
  }

  /** Every job that had succeeded in a group that could not commit rejects; their afterRollback runs. */
  function failGroup(done: Pending[], err: unknown): void {
    stats.failedGroups++;
    try {
      if (handle.inTransaction) exec('ROLLBACK');
    } catch (rollbackErr) {
      log('error', `ROLLBACK after a failed group failed: ${String(rollbackErr)}`);
    }
    const mapped = mapSqliteError(err);
    const reason =
      mapped?.kind === 'unavailable'
        ? mapped
        : new GalleyError('unavailable', 'The write could not be committed; try again.', {
            cause: err,
            retryAfter: RETRY_AFTER_SECONDS,
          });
    if (!mapped) log('error', `group commit failed: ${err instanceof Error ? err.message : String(err)}`);
    for (const p of done) {
      p.reject(reason);
      runCallbacks(p.afterRollback, 'afterRollback');
    }
  }

  async function flush(): Promise<void> {
    scheduled = false;
    if (pauses > 0) return; // the release schedules the held jobs
    if (queue.length === 0) return settleIdle();
    flushing = true;
    const group = queue.splice(0, maxGroupJobs);
    stats.groups++;
    try {
      exec('BEGIN IMMEDIATE');
    } catch (err) {
      failGroup(group, err);
      return finishFlush();
    }
    const started = performance.now();
    const done: Pending[] = []; // jobs released into the transaction, waiting for COMMIT
    let broken: unknown;
    for (let i = 0; i < group.length; i++) {
      if (i > 0 && performance.now() - started > maxGroupMs) {
        queue.unshift(...group.slice(i)); // over budget: the rest go into the next group
        break;
      }
      const p = group[i]!;
      stats.jobs++;
      try {
        const outcome = await runJob(p, group.length === 1);
        if (outcome === 'ok') done.push(p);
        if (outcome === 'rolled-back') return finishFlush(); // a solo job failed: nothing to commit
        if (outcome === 'broken') broken = new Error('a failed job could not be rolled back to its savepoint');
      } catch (err) {
        done.push(p); // SAVEPOINT or RELEASE failed: this job fails with the group
        broken = err;
      }
      if (broken !== undefined) {
        queue.unshift(...group.slice(i + 1)); // not run yet: they get a fresh transaction
        break;
      }
    }
    if (broken === undefined) {
      try {
        exec('COMMIT');
      } catch (err) {
        broken = err;
      }
    }
    if (broken !== undefined) {
      failGroup(done, broken);
      return finishFlush();
    }
    stats.commits++;
    stats.largestGroup = Math.max(stats.largestGroup, done.length);
    if (!durable) {
      answerCommitted(done);
      return finishFlush();
    }
    stats.awaitingSync++;
    durable.sync().then(
      () => answerCommitted(done),
      (err: unknown) => {
        // The rows are committed and readable, so what follows a commit still happens (events, file moves); the
        // callers are told it may not survive a power loss. On Linux a failed fsync can drop the unwritten pages.
        log('error', `WAL sync after a commit failed: ${err instanceof Error ? err.message : String(err)}`);
        const reason = new GalleyError('unavailable', 'The write was committed but could not be flushed to disk.', { cause: err, retryAfter: RETRY_AFTER_SECONDS });
        for (const p of done) p.reject(reason);
        for (const p of done) runCallbacks(p.afterCommit, 'afterCommit');
      },
    ).finally(() => {
      stats.awaitingSync--;
      settleIdle();
    });
    return finishFlush();
  }

  /** After COMMIT (and its sync): the after-commit callbacks run; a job is answered once the promises they returned settled. */
  function answerCommitted(done: Pending[]): void {
    for (const p of done) {
      // a job is answered once its after-commit work that returned a promise (after-commit hooks) has settled
      const waits = runCallbacks(p.afterCommit, 'afterCommit');
      if (waits) void Promise.all(waits).then(() => p.resolve(p.value));
      else p.resolve(p.value);
    }
  }

  function finishFlush(): void {
    flushing = false;
    for (const w of flushEndWaiters.splice(0)) w();
    if (queue.length > 0) schedule();
    else settleIdle();
  }

  function settleIdle(): void {
    if (queue.length > 0 || flushing || scheduled || stats.awaitingSync > 0) return;
    for (const w of idleWaiters.splice(0)) w();
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
    const tx = createTx(token, commits, rollbacks);
    const name = `galley_inner_${++innerCounter}`;
    exec(`SAVEPOINT ${name}`);
    const enclosing = current;
    current = token;
    const leave = (): void => {
      token.active = false;
      if (current === token) current = enclosing;
    };
    let value: T;
    try {
      value = await runInWriteScope(openScope(token, tx, commits, rollbacks), () => job(tx));
      if (!token.active) throw new Error('an inner job could not be rolled back');
    } catch (err) {
      leave();
      // An enclosing job that ended already rolled back everything inside it, this savepoint included.
      if (isTokenLive(outer.token)) {
        try {
          exec(`ROLLBACK TO ${name}`);
          exec(`RELEASE ${name}`);
        } catch (rollbackErr) {
          log('error', `rollback of a failed inner job failed: ${String(rollbackErr)}`);
          outer.token.active = false;
        }
      }
      runCallbacks(rollbacks, 'afterRollback');
      throw mapSqliteError(err) ?? err;
    }
    leave();
    if (!isTokenLive(outer.token)) {
      runCallbacks(rollbacks, 'afterRollback');
      throw new Error('the enclosing write job ended before its inner job');
    }
    exec(`RELEASE ${name}`);
    outer.afterCommit.push(...commits);
    outer.afterRollback.push(...rollbacks);
    return value;
  }

  const self: GroupWriter = {
    run<T>(job: (tx: WriteTx) => Promise<T>): Promise<T> {
      const scope = findWriteScope(self) as JobScope | undefined;
      if (scope) return runInner(scope, job);
      if (closed) {
        return Promise.reject(
          new GalleyError('unavailable', 'The database is closing.', { retryAfter: RETRY_AFTER_SECONDS }),
        );
      }
      return new Promise<T>((resolve, reject) => {
        queue.push({
          job,
          resolve: resolve as (v: unknown) => void,
          reject,
          afterCommit: [],
          afterRollback: [],
        });
        schedule();
      });
    },
    stats: () => ({ ...stats }),
    drain() {
      if (queue.length === 0 && !flushing && !scheduled && stats.awaitingSync === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    close() {
      closed = true;
      return this.drain();
    },
    async pause() {
      pauses++;
      while (flushing) await new Promise<void>((resolve) => flushEndWaiters.push(resolve));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        pauses--;
        if (pauses === 0 && queue.length > 0) schedule();
        else settleIdle();
      };
    },
  };
  return self;
}
