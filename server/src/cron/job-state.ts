/**
 * What Galley remembers of each job's last run, across restarts (beyond PocketBase, which keeps nothing: its
 * #4250). Kept in aux.db's `_cronRuns` beside the logs, so a job's bookkeeping never takes data.db's write lock.
 */
import type { Kysely } from 'kysely';
import { GalleyError } from '../errors.ts';

export interface CronJobState {
  /** when the last run started (PocketBase's datetime format, UTC) */
  lastRun: string;
  lastDurationMs: number;
  /** the last run's error message; null when it succeeded */
  lastError: string | null;
}

export interface CronStateStore {
  loadAll(): Promise<Map<string, CronJobState>>;
  save(id: string, state: CronJobState): void;
}

/** What the store needs of aux.db (db/open-aux.ts): short synchronous writes, and Kysely for the one read. */
export interface CronStateDb {
  execute(sql: string, params?: readonly unknown[]): number;
  readonly db: Kysely<any>;
}

const DDL = `CREATE TABLE IF NOT EXISTS "_cronRuns" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "lastRun" TEXT NOT NULL,
  "lastDurationMs" INTEGER NOT NULL,
  "lastError" TEXT
)`;

/** Longest error text kept: a job's error is a diagnostic line, not a dump. */
const MAX_ERROR_CHARS = 2000;

export function createCronStateStore(db: CronStateDb): CronStateStore {
  try {
    db.execute(DDL);
  } catch (err) {
    throw new GalleyError('unavailable', `aux.db: the cron state table could not be created (${String(err)})`, { cause: err });
  }
  return {
    async loadAll() {
      const rows = (await db.db.selectFrom('_cronRuns').select(['id', 'lastRun', 'lastDurationMs', 'lastError']).execute()) as Record<string, unknown>[];
      return new Map(
        rows.map((r) => [
          String(r['id']),
          { lastRun: String(r['lastRun']), lastDurationMs: Number(r['lastDurationMs']), lastError: r['lastError'] == null ? null : String(r['lastError']) },
        ]),
      );
    },
    save(id, state) {
      db.execute(
        'INSERT INTO "_cronRuns" ("id", "lastRun", "lastDurationMs", "lastError") VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT ("id") DO UPDATE SET "lastRun" = excluded."lastRun", "lastDurationMs" = excluded."lastDurationMs", "lastError" = excluded."lastError"',
        [id, state.lastRun, Math.round(state.lastDurationMs), state.lastError === null ? null : state.lastError.slice(0, MAX_ERROR_CHARS)],
      );
    },
  };
}

/** A store that forgets (tests of the scheduler alone, or aux.db unavailable). */
export function createMemoryCronStateStore(): CronStateStore {
  const states = new Map<string, CronJobState>();
  return { loadAll: async () => new Map(states), save: (id, s) => void states.set(id, { ...s }) };
}

/**
 * aux.db's `_cronRuns` in the PostgreSQL database (`serve --database`: no aux.db), created under the schema lock
 * by the caller; named with Galley's reserved prefix, since there it shares the namespace of collections. Instances share it: the last run of a job is the last any instance made.
 */
export const POSTGRES_CRON_STATE_DDL = `CREATE TABLE IF NOT EXISTS "_galley_cron_runs" (
  "id" text COLLATE "C" PRIMARY KEY NOT NULL,
  "lastRun" text COLLATE "C" NOT NULL,
  "lastDurationMs" double precision NOT NULL,
  "lastError" text
);`;

/** Which instance runs a job's minute (`CronSchedulerOptions.claimRun`): the first to insert the row. */
export const POSTGRES_CRON_CLAIMS_DDL = `CREATE TABLE IF NOT EXISTS "_galley_cron_claims" (
  "id" text COLLATE "C" NOT NULL,
  "minute" bigint NOT NULL,
  PRIMARY KEY ("id", "minute")
);`;

const CLAIMS_KEPT_MS = 24 * 60 * 60 * 1000;

/** Claim a job's minute among the instances on one PostgreSQL database (claims older than a day are dropped on the way). */
export function createPostgresCronClaims(db: Kysely<any>): (id: string, minuteMs: number) => Promise<boolean> {
  let lastPrune = 0;
  return async (id, minuteMs) => {
    if (minuteMs - lastPrune > CLAIMS_KEPT_MS / 24) {
      lastPrune = minuteMs;
      await db.deleteFrom('_galley_cron_claims').where('minute', '<', minuteMs - CLAIMS_KEPT_MS).execute();
    }
    const claimed = await db.insertInto('_galley_cron_claims').values({ id, minute: minuteMs }).onConflict((oc) => oc.doNothing()).returning('id').execute();
    return claimed.length > 0;
  };
}

/** The store over PostgreSQL's pool: a save is sent and not waited for (a failure is reported through `warn`). */
export function createPostgresCronStateStore(db: Kysely<any>, warn: (message: string) => void): CronStateStore {
  return {
    async loadAll() {
      const rows = (await db.selectFrom('_galley_cron_runs').select(['id', 'lastRun', 'lastDurationMs', 'lastError']).execute()) as Record<string, unknown>[];
      return new Map(
        rows.map((r) => [
          String(r['id']),
          { lastRun: String(r['lastRun']), lastDurationMs: Number(r['lastDurationMs']), lastError: r['lastError'] == null ? null : String(r['lastError']) },
        ]),
      );
    },
    save(id, state) {
      const values = { id, lastRun: state.lastRun, lastDurationMs: Math.round(state.lastDurationMs), lastError: state.lastError === null ? null : state.lastError.slice(0, MAX_ERROR_CHARS) };
      db.insertInto('_galley_cron_runs')
        .values(values)
        .onConflict((oc) => oc.column('id').doUpdateSet({ lastRun: values.lastRun, lastDurationMs: values.lastDurationMs, lastError: values.lastError }))
        .execute()
        .catch((err: unknown) => warn(`cron: the last run of ${id} could not be saved (${String((err as Error)?.message ?? err)})`));
    },
  };
}
