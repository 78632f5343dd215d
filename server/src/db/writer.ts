/**
 * The one writer path, with group commit (DESIGN.md, "The way a request travels"): the jobs queued in one
 * event-loop turn run in one `BEGIN IMMEDIATE … COMMIT`, each inside its own SAVEPOINT, so a failing job
 * fails alone and one fsync serves the whole group. A job's promise settles only after that COMMIT.
 */
import { Kysely, type KyselyPlugin } from 'kysely';
import { GalleyError } from '../errors.ts';
import type { WriteTx, Writer } from './database.ts';
import { createJobDialect } from './dialect.ts';
import type { SqliteHandle } from './driver.ts';
import { mapSqliteError, RETRY_AFTER_SECONDS } from './sqlite-errors.ts';

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface WriterOptions {
  /** Most jobs in one transaction (bounds latency and the size of one rollback). */
  maxGroupJobs?: number;
  /** A group stops taking jobs once it has run this long; the rest go to the next group. */
  maxGroupMs?: number;
  log?: LogFn;
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
}

export interface GroupWriter extends Writer {
  stats(): WriterStats;
  /** Resolves when every queued job has settled. */
  drain(): Promise<void>;
  /** Refuses new jobs, then drains. */
  close(): Promise<void>;
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

function guardPlugin(token: { active: boolean }): KyselyPlugin {
  return {
    transformQuery(args) {
      if (!token.active) throw new Error('WriteTx used after its job ended; run the statement inside writer.run()');
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}

export function createWriter(handle: SqliteHandle, opts: WriterOptions = {}): GroupWriter {
  const maxGroupJobs = opts.maxGroupJobs ?? 1000;
  const maxGroupMs = opts.maxGroupMs ?? 50;
  const log: LogFn = opts.log ?? (() => {});
  const queue: Pending[] = [];
  const idleWaiters: Array<() => void> = [];
  const stats: WriterStats = { groups: 0, commits: 0, failedGroups: 0, jobs: 0, failedJobs: 0, largestGroup: 0 };
  let scheduled = false;
  let flushing = false;
  let closed = false;

  const exec = (sql: string): void => void handle.prepare(sql).run();
  let current: { active: boolean } | null = null;
  const jobKysely = new Kysely<any>({ dialect: createJobDialect(handle, () => current?.active === true) });

  const runCallbacks = (fns: Array<() => void>, what: string): void => {
    for (const fn of fns) {
      try {
        fn();
      } catch (err) {
        log('error', `${what} callback threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
  };

  const schedule = (): void => {
    if (scheduled || flushing) return;
    scheduled = true;
    setImmediate(() => void flush());
  };

  /**
   * Runs one job in its savepoint: 'ok' (released, waits for COMMIT), 'failed' (rolled back to its savepoint
   * and already rejected) or 'broken' (the rollback itself failed: the whole transaction must go).
   * Throws if SAVEPOINT or RELEASE fails, which also breaks the transaction.
   */
  async function runJob(p: Pending, solo: boolean): Promise<'ok' | 'failed' | 'broken' | 'rolled-back'> {
    const token = { active: true };
    current = token;
    const tx: WriteTx = {
      // One shared Kysely per writer (building one per job cost more than the insert); the guard makes a
      // tx kept past its job throw instead of writing into a later job's savepoint.
      db: jobKysely.withPlugin(guardPlugin(token)),
      afterCommit(fn) {
        if (!token.active) throw new Error('afterCommit registered after the job ended');
        p.afterCommit.push(fn);
      },
      afterRollback(fn) {
        if (!token.active) throw new Error('afterRollback registered after the job ended');
        p.afterRollback.push(fn);
      },
    };
    // A group of one needs no savepoint: if its job fails, the whole transaction is rolled back instead.
    if (!solo) exec(`SAVEPOINT ${SAVEPOINT}`);
    try {
      p.value = await p.job(tx);
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
    for (const p of done) {
      p.resolve(p.value);
      runCallbacks(p.afterCommit, 'afterCommit');
    }
    return finishFlush();
  }

  function finishFlush(): void {
    flushing = false;
    if (queue.length > 0) schedule();
    else settleIdle();
  }

  function settleIdle(): void {
    if (queue.length > 0 || flushing || scheduled) return;
    for (const w of idleWaiters.splice(0)) w();
  }

  return {
    run<T>(job: (tx: WriteTx) => Promise<T>): Promise<T> {
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
      if (queue.length === 0 && !flushing && !scheduled) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    close() {
      closed = true;
      return this.drain();
    },
  };
}
