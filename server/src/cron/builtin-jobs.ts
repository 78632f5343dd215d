/**
 * PocketBase's built-in cron jobs, by its ids and schedules (core/base.go, core/otp_model.go,
 * core/mfa_model.go, apis/middlewares_rate_limit.go), registered in its order.
 */
import { sql } from 'kysely';
import type { Core } from '../core.ts';
import { checkpointWalFile } from '../db/wal-checkpoint.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { deleteRecordRowsWhere, findSystemCollection } from '../records/record-write.ts';
import type { CollectionModel } from '../schema/model.ts';
import { MFAS_NAME, OTPS_NAME } from '../schema/system-auth-records.ts';
import type { CronService } from './scheduler.ts';

/** What lives above cron/ in the layers (http/'s limiter) is handed in by createGalley. */
export interface BuiltinCronDeps {
  /** drop expired rate-limit windows and sign-in throttle entries; returns how many went */
  sweepRateLimiters(now: number): number;
}

/** wire: PocketBase's longest OTP/MFA duration; rows older than this go whatever their collection (or none) says */
const MAX_AUTH_ROW_SECONDS = 86400;
/** how long the data.db checkpoint may wait for another thread's read before it settles for a partial one */
const CHECKPOINT_WAIT_MS = 1000;

/** Delete the `_otps` or `_mfas` rows past their collection's duration (wire: DeleteExpiredOTPs/MFAs). */
export async function deleteExpiredAuthRows(core: Core, table: typeof OTPS_NAME | typeof MFAS_NAME): Promise<number> {
  const now = core.clock().getTime();
  const durationOf = (c: CollectionModel): number => (table === OTPS_NAME ? c.auth?.otp.duration : c.auth?.mfa.duration) ?? MAX_AUTH_ROW_SECONDS;
  const model = findSystemCollection(core, table);
  // each row through the record-write pipeline: wire: PocketBase deletes them one by one, so each fires its delete event
  return core.db.writer.run(async (tx) => {
    let deleted = 0;
    // wire: even where OTP/MFA is off, so no old rows dangle
    for (const c of core.schema.collections) {
      if (c.type !== 'auth') continue;
      const before = formatDateTime(new Date(now - durationOf(c) * 1000));
      deleted += await deleteRecordRowsWhere(core, tx, model, (q) => q.where('collectionRef', '=', c.id).where('created', '<', before));
    }
    const stale = formatDateTime(new Date(now - MAX_AUTH_ROW_SECONDS * 1000));
    deleted += await deleteRecordRowsWhere(core, tx, model, (q) => q.where('created', '<', stale));
    return deleted;
  });
}

/**
 * wire: PocketBase's __pbDBOptimize__: `wal_checkpoint(TRUNCATE)` on both databases, `PRAGMA optimize`
 * (Galley: on both). data.db's goes through the writer so it never races a write: optimize inside a job, the
 * checkpoint right after that job's COMMIT. aux.db's connection runs only short synchronous transactions.
 * On PostgreSQL (no aux.db) nothing: its autovacuum analyzes tables, and its WAL is the server's own business.
 */
export async function optimizeDatabases(core: Core): Promise<void> {
  const auxDb = core.logs.auxDb;
  if (core.db.dialect.name !== 'sqlite' || !auxDb) return;
  let checkpointError: unknown;
  await core.db.writer.run(async (tx) => {
    await sql`PRAGMA optimize`.execute(tx.db);
    tx.afterCommit(() => {
      try {
        const out = checkpointWalFile(core.db.file, Math.min(CHECKPOINT_WAIT_MS, core.config.busyTimeoutMs));
        if (out.busy) core.log.info('data.db checkpoint left part of the WAL: a read was in progress', { ...out });
      } catch (err) {
        checkpointError = err;
      }
    });
  });
  const aux = auxDb.db;
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(aux);
  await sql`PRAGMA optimize`.execute(aux);
  if (checkpointError !== undefined) throw checkpointError;
}

/** Built-in jobs whose work is this instance's memory: with several instances each runs them (the others' run once among them). */
export const EVERY_INSTANCE_CRON_JOBS: ReadonlySet<string> = new Set(['__pbRateLimitersCleanup__']);

export function registerBuiltinCronJobs(cron: CronService, core: Core, deps: BuiltinCronDeps): void {
  cron.add('__pbDBOptimize__', '0 0 * * *', () => optimizeDatabases(core));
  cron.add('__pbMFACleanup__', '0 * * * *', async () => void (await deleteExpiredAuthRows(core, MFAS_NAME)));
  cron.add('__pbOTPCleanup__', '0 * * * *', async () => void (await deleteExpiredAuthRows(core, OTPS_NAME)));
  // wire: DeleteOldLogs(now - maxDays); the log service also drops what is below logs.minLevel
  cron.add('__pbLogsCleanup__', '0 */6 * * *', () => core.logs.trim());
  // wire: "2 * * * *", offset a little since too many cleanup tasks execute at 00
  cron.add('__pbRateLimitersCleanup__', '2 * * * *', () => void deps.sweepRateLimiters(core.clock().getTime()));
}
