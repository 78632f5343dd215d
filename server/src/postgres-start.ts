/**
 * What createGalley starts differently on PostgreSQL (`database: 'postgres://…'`, issue 17): the database and
 * the listener connection, the files lock, `_logs` and `_galley_cron_runs` in the database instead of aux.db, backups
 * refused, and following the other instances (schema and settings NOTIFYs). Imported by index.ts only when a
 * database URL is given, so a SQLite app never loads any of it (nor `pg`).
 */
import { sql } from 'kysely';
import type { SettingsStore } from './admin/settings-store.ts';
import { createPostgresBackupService } from './backups/postgres-backups.ts';
import type { Config } from './config.ts';
import type { Core } from './core.ts';
import { EVERY_INSTANCE_CRON_JOBS } from './cron/builtin-jobs.ts';
import { createPostgresCronClaims, createPostgresCronStateStore, POSTGRES_CRON_CLAIMS_DDL, POSTGRES_CRON_STATE_DDL, type CronStateStore } from './cron/job-state.ts';
import type { CronSchedulerOptions } from './cron/scheduler.ts';
import { runUnderPostgresSchemaLock } from './db/open-postgres.ts';
import { openPostgresDatabase, type OpenedPostgresDatabase } from './db/open-postgres-database.ts';
import { describeFilesConflict, filesConflictError, startPostgresListener, type FilesPlace, type PostgresListener } from './db/postgres-listener.ts';
import { POSTGRES_SCHEMA_CHANNEL } from './db/postgres-ddl.ts';
import { POSTGRES_SETTINGS_CHANNEL } from './db/postgres-notify.ts';
import { GalleyError } from './errors.ts';
import type { RunningService, ServiceList } from './lifecycle.ts';
import type { Logger } from './lib/log.ts';
import type { LogService } from './logs/log-service.ts';
import { createPostgresLogService, POSTGRES_LOGS_DDL } from './logs/postgres-log-service.ts';
import { postgresDialect } from './query/postgres-dialect.ts';
import { POSTGRES_EVENTS_DDL, startRecordFanout } from './realtime/postgres-fanout.ts';
import { buildFullLoadOptions } from './rules/check-rule-compiles.ts';

export { createPostgresBackupService };

/** The schema loaded at start as `serve` loads it, its rules compiled for PostgreSQL (a rule only SQLite takes is refused). */
export const POSTGRES_LOAD_OPTIONS = buildFullLoadOptions(postgresDialect);

export interface ServedPostgres {
  readonly db: OpenedPostgresDatabase;
  readonly listener: PostgresListener;
}

/**
 * The listener connection and the database, each noted as a service (stopped in the reverse order). The files
 * lock is taken shared on the listener before anything else touches the database (claimFilesPlace settles its
 * mode once the settings are read): while `galley migrate-data` copies into or out of it, or an instance with
 * files on local disk serves it, the start is refused before its migrations run.
 */
export async function openServedPostgres(database: NonNullable<Config['database']>, log: Logger, services: ServiceList): Promise<ServedPostgres> {
  const url = database.url.reveal();
  const listener = await startPostgresListener({ url, log: (level, message) => log[level](message) });
  services.add({ name: 'PostgreSQL listener', stop: () => listener.close() });
  if (!(await listener.claimFiles('s3'))) throw filesLockTakenError();
  const db = await openPostgresDatabase({ url, max: database.poolSize, log: (level, message) => log[level](message) });
  services.add({ name: 'database', stop: () => db.close() });
  // tables of the operations services (aux.db's on SQLite); under the schema lock, as instances may start together
  await runUnderPostgresSchemaLock(db.pool, (tx) => sql.raw(POSTGRES_LOGS_DDL + POSTGRES_CRON_STATE_DDL + POSTGRES_CRON_CLAIMS_DDL + POSTGRES_EVENTS_DDL).execute(tx));
  return { db, listener };
}

const placeOf = (s3Enabled: boolean): FilesPlace => (s3Enabled ? 's3' : 'local');

/** The start refused before it touched the database: someone holds the files lock exclusively. */
function filesLockTakenError(): GalleyError {
  return new GalleyError(
    'unavailable',
    'this PostgreSQL database is held exclusively: `galley migrate-data` is copying into or out of it, or another Galley instance ' +
      'serves it with files on its local disk. Start again once the copy has ended, or stop that instance (several instances on one database keep files on S3)',
  );
}

/**
 * The files lock (db/postgres-listener.ts) for where the settings keep files: a start beside another instance
 * with files on local disk is refused; so is a later settings save that would put them there.
 */
export async function claimFilesPlace(served: ServedPostgres, settings: SettingsStore, log: Logger): Promise<void> {
  const place = placeOf(settings.current().s3.enabled);
  if (!(await served.listener.claimFiles(place))) throw filesConflictError(place);
  settings.beforeSave(async (next) => {
    // only a move to local disk is checked (and made exclusive) before the write; a move to S3 shares the lock once
    // stored (onSave below): a save that fails to store leaves the files on local disk, under the exclusive lock
    if (next.s3.enabled) return;
    if (!(await served.listener.claimFiles('local'))) throw new GalleyError('invalid', `s3: another Galley instance serves this PostgreSQL database: ${describeFilesConflict('local')}`);
  });
  // another instance's save (followed below) can move files too; it passed this check on its side
  settings.onSave((now) => {
    const wanted = placeOf(now.s3.enabled);
    served.listener.claimFiles(wanted).then(
      (ok) => ok || log.error(`files lock: ${describeFilesConflict(wanted)}`),
      (err: unknown) => log.warn('files lock: could not be taken again', { error: String(err) }),
    );
  });
}

/** `_logs`, and for the scheduler: `_galley_cron_runs`, and `_galley_cron_claims` so a due job runs on one instance only. */
export function createServedLogs(
  served: ServedPostgres,
  settings: SettingsStore,
  log: Logger,
): { logs: LogService; cronState: CronStateStore; claimRun: NonNullable<CronSchedulerOptions['claimRun']> } {
  const logs = createPostgresLogService({ db: served.db.pool, settings: () => settings.current().logs });
  const cronState = createPostgresCronStateStore(served.db.pool, (message) => log.warn(message));
  return { logs, cronState, claimRun: { claim: createPostgresCronClaims(served.db.pool), everyInstance: EVERY_INSTANCE_CRON_JOBS } };
}

/**
 * Follow the other instances: a migration one of them applied (`galley_schema`) is served here at once (the
 * reloader's poll stays as the fallback), a settings save of theirs put in force, their record changes delivered
 * to this instance's realtime subscribers (and this one's sent to them); after a lost connection, the schema and
 * the settings are read again since their NOTIFYs were missed. Returns the realtime fan-out's stop.
 */
export function followOtherInstances(core: Core, served: ServedPostgres): RunningService {
  const followSettings = (payload?: string) =>
    void core.settings.followSaved(payload).catch((err: unknown) => core.log.warn('settings follow: reading the stored settings failed', { error: String(err) }));
  served.listener.on(POSTGRES_SETTINGS_CHANNEL, followSettings);
  served.listener.on(POSTGRES_SCHEMA_CHANNEL, () => void core.schemaService?.reloader.checkApplied());
  served.listener.onResumed(() => {
    followSettings();
    void core.schemaService?.reloader.checkApplied();
  });
  const fanout = startRecordFanout(core, served.listener, served.db.pool);
  return { name: 'realtime between instances', stop: () => fanout.stop() };
}
