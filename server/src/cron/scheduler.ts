/**
 * The cron scheduler (PocketBase's tools/cron): jobs by id, each with an expression (cron-expression.ts) and a
 * function. One timer for the start of the next minute (UTC), unref'd; at each minute every due job starts.
 * A job runs one at a time: a run still going when the job is due again (or run by hand) is skipped, with a
 * warning. Each run's start, duration and error are kept (job-state.ts) and answered beside PocketBase's
 * `{id, expression}`. close() stops the timer, starts nothing new and waits (bounded) for running jobs.
 * A hooks file's jobs (`app.cronAdd`) are kept apart, per load of the file (`setHookJobs(owner, …)`): the last
 * load that set jobs and is not dropped is the one that runs, so a reload replaces them all and a load that
 * fails (dropped) leaves the previous one's. Their run state is kept by id like the built-ins'.
 */
import type { Logger } from '../lib/log.ts';
import { notFound, GalleyError } from '../errors.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { parseCronExpression, type CronSchedule } from './cron-expression.ts';
import { createMemoryCronStateStore, type CronJobState, type CronStateStore } from './job-state.ts';

export type CronJobFn = () => void | Promise<void>;

/** One job as `GET /api/crons` answers it: PocketBase's `{id, expression}`, then Galley's run facts. */
export interface CronJobView {
  id: string;
  expression: string;
  lastRun: string | null;
  lastDurationMs: number | null;
  lastError: string | null;
  nextRun: string | null;
}

/** A job as a hooks file declares it. */
export interface CronJobSpec {
  id: string;
  expression: string;
  fn: CronJobFn;
}

export interface CronService {
  /** Register a job, or replace the one with that id (wire: PocketBase's Cron.Add). Throws 400 on a bad expression. */
  add(id: string, expression: string, fn: CronJobFn): void;
  remove(id: string): void;
  /**
   * Set the jobs of one load of a hooks file (`owner`: its registry); they replace the jobs of the load before.
   * Throws, naming the job, on a bad expression, an id used twice or a built-in's id (nothing changes then).
   */
  setHookJobs(owner: object, jobs: readonly CronJobSpec[]): void;
  /** Forget a load's jobs (its registry was replaced or failed to load); the previous load's run again if it was the last. */
  dropHookJobs(owner: object): void;
  /** wire: PocketBase's order: jobs whose id starts with `__pb` last (as registered), the others first by id. */
  list(): CronJobView[];
  /** Start a run now (404 for an unknown id); resolves when it has ended. Never rejects: errors become `lastError`. */
  run(id: string): Promise<void>;
  /** Stop the timer, start no new run, wait up to `closeWaitMs` for running jobs. */
  close(): Promise<void>;
}

/** The one timer the scheduler uses; tests hand in one they fire themselves. */
export interface CronTimer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface CronSchedulerOptions {
  clock: () => Date;
  log: Logger;
  store?: CronStateStore;
  timer?: CronTimer;
  /** how long close() waits for running jobs (default 5 s) */
  closeWaitMs?: number;
  /**
   * Several instances on one database (PostgreSQL): a due job's minute is claimed first and runs only where the
   * claim succeeds, so it runs once among them; jobs in `everyInstance` (their state is the instance's memory)
   * are not claimed. A run by hand is never claimed.
   */
  claimRun?: { claim(id: string, minuteMs: number): Promise<boolean>; everyInstance: ReadonlySet<string> };
}

interface Job {
  id: string;
  schedule: CronSchedule;
  fn: CronJobFn;
}

const MINUTE_MS = 60_000;

/** Real timers, unref'd: a pending minute never keeps a process (or a test run) alive. */
export const UNREF_TIMER: CronTimer = {
  set(fn, ms) {
    const t = setTimeout(fn, ms);
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function describeJobError(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

export async function createCronScheduler(opts: CronSchedulerOptions): Promise<CronService> {
  const { clock, log } = opts;
  const store = opts.store ?? createMemoryCronStateStore();
  const timer = opts.timer ?? UNREF_TIMER;
  const states: Map<string, CronJobState> = await store.loadAll();
  const jobs = new Map<string, Job>();
  /** hooks files' jobs by load, oldest first: the last entry's are the ones that run */
  const hookLoads: Array<{ owner: object; jobs: Map<string, Job> }> = [];
  const hookJobs = (): Map<string, Job> | undefined => hookLoads.at(-1)?.jobs;
  const findJob = (id: string): Job | undefined => hookJobs()?.get(id) ?? jobs.get(id);
  const allJobs = (): Job[] => {
    const own = hookJobs();
    return own ? [...jobs.values(), ...own.values()] : [...jobs.values()];
  };
  /** runs going now, by job id (kept by id so a replaced job's run still blocks the next) */
  const running = new Map<string, Promise<void>>();
  let handle: unknown;
  /** the minute the armed timer is for, and the last minute run */
  let target = 0;
  let lastTick = -Infinity;
  let closed = false;

  const saveState = (id: string, state: CronJobState): void => {
    states.set(id, state);
    try {
      store.save(id, state);
    } catch (err) {
      log.warn('cron job state could not be saved', { id, error: String(err) });
    }
  };

  const startRun = (job: Job): Promise<void> => {
    const going = running.get(job.id);
    if (going) {
      log.warn('cron job skipped: its previous run is still going', { id: job.id });
      return going;
    }
    const started = clock();
    let finish!: () => void;
    const run = new Promise<void>((resolve) => (finish = resolve));
    running.set(job.id, run); // before the job starts: a synchronous job ends before this line otherwise
    void (async () => {
      let error: string | null = null;
      try {
        await job.fn();
      } catch (err) {
        error = describeJobError(err);
        log.warn('cron job failed', { id: job.id, error });
      } finally {
        running.delete(job.id);
        saveState(job.id, { lastRun: formatDateTime(started), lastDurationMs: Math.max(0, clock().getTime() - started.getTime()), lastError: error });
        finish();
      }
    })();
    return run;
  };

  const tick = (): void => {
    handle = undefined;
    if (closed) return;
    const now = clock().getTime();
    // the clock was set back (more than a minute): run nothing now, go on from the new time
    if (target > now + MINUTE_MS) {
      lastTick = -Infinity;
      return arm();
    }
    // the minute this timer was set for, or a later one if the process slept past it
    const at = Math.max(target, Math.floor(now / MINUTE_MS) * MINUTE_MS);
    lastTick = at;
    for (const job of allJobs()) {
      if (!job.schedule.isDue(new Date(at))) continue;
      const claims = opts.claimRun;
      if (!claims || claims.everyInstance.has(job.id)) void startRun(job);
      else {
        claims.claim(job.id, at).then(
          (mine) => void (mine && !closed && startRun(job)),
          (err: unknown) => log.warn('cron job not run: its run could not be claimed', { id: job.id, error: describeJobError(err) }),
        );
      }
    }
    arm();
  };

  const arm = (): void => {
    if (closed) return;
    const now = clock().getTime();
    // a timer that fires a little early must not run the same minute twice
    target = Math.max(Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS, lastTick + MINUTE_MS);
    handle = timer.set(tick, target - now);
  };

  const view = (job: Job): CronJobView => {
    const state = states.get(job.id);
    const next = job.schedule.nextAfter(clock());
    return {
      id: job.id,
      expression: job.schedule.expression,
      lastRun: state?.lastRun ?? null,
      lastDurationMs: state?.lastDurationMs ?? null,
      lastError: state?.lastError ?? null,
      nextRun: next ? formatDateTime(next) : null,
    };
  };

  arm();
  let closing: Promise<void> | undefined;
  return {
    add(id, expression, fn) {
      if (typeof id !== 'string' || id === '') throw new GalleyError('invalid', 'A cron job needs a non-empty id.');
      if (typeof fn !== 'function') throw new GalleyError('invalid', `Cron job "${id}": fn must be a function.`);
      const schedule = parseCronExpression(expression);
      jobs.delete(id); // wire: a replaced job goes to the end, as PocketBase's Add appends
      jobs.set(id, { id, schedule, fn });
    },
    remove(id) {
      jobs.delete(id);
    },
    setHookJobs(owner, specs) {
      const parsed = new Map<string, Job>();
      for (const spec of specs) {
        const name = `cron job ${JSON.stringify(spec.id)}`;
        if (typeof spec.id !== 'string' || spec.id === '') throw new GalleyError('invalid', 'A cron job needs a non-empty id.');
        if (spec.id.startsWith('__pb') || jobs.has(spec.id)) throw new GalleyError('invalid', `${name}: the id is a built-in job's; choose another id`);
        if (parsed.has(spec.id)) throw new GalleyError('invalid', `${name} is added twice`);
        if (typeof spec.fn !== 'function') throw new GalleyError('invalid', `${name}: fn must be a function.`);
        let schedule: CronSchedule;
        try {
          schedule = parseCronExpression(spec.expression);
        } catch (err) {
          throw new GalleyError('invalid', `${name}: ${err instanceof Error ? err.message : String(err)}`);
        }
        parsed.set(spec.id, { id: spec.id, schedule, fn: spec.fn });
      }
      const at = hookLoads.findIndex((l) => l.owner === owner);
      if (at >= 0) hookLoads.splice(at, 1);
      hookLoads.push({ owner, jobs: parsed });
    },
    dropHookJobs(owner) {
      const at = hookLoads.findIndex((l) => l.owner === owner);
      if (at >= 0) hookLoads.splice(at, 1);
    },
    list() {
      const all = allJobs();
      const own = all.filter((j) => !j.id.startsWith('__pb')).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return [...own, ...all.filter((j) => j.id.startsWith('__pb'))].map(view);
    },
    run(id) {
      const job = findJob(id);
      if (!job) throw notFound('Missing or invalid cron job.');
      if (closed) return Promise.resolve();
      return startRun(job);
    },
    close() {
      return (closing ??= (async () => {
        closed = true;
        if (handle !== undefined) timer.clear(handle);
        handle = undefined;
        if (running.size === 0) return;
        let waitHandle: unknown;
        const waited = new Promise<'timeout'>((resolve) => (waitHandle = timer.set(() => resolve('timeout'), opts.closeWaitMs ?? 5000)));
        const outcome = await Promise.race([Promise.all(running.values()).then(() => 'done' as const), waited]);
        timer.clear(waitHandle);
        if (outcome === 'timeout') log.warn('cron jobs still running at close; not waited for', { ids: [...running.keys()] });
      })());
    },
  };
}
