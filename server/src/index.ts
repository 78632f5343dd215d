/**
 * @galley/server — a schema file in, a PocketBase-compatible REST backend over SQLite out.
 *
 * @example
 * ```ts
 * import { createGalley } from '@galley/server';
 * const galley = await createGalley({ dir: './galley_data', schemaFile: './schema.json' });
 * const { url } = await galley.listen();
 * // … later
 * await galley.close();
 * ```
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { followListenUrl, type ListenAwareSettings } from './admin/app-url.ts';
import { loadSettingsStore, readSettingsEnv, type SettingsInput } from './admin/settings-store.ts';
import { createSignInThrottle } from './auth/sign-in-throttle.ts';
import { registerBuiltinCronJobs } from './cron/builtin-jobs.ts';
import { createCronStateStore, type CronStateStore } from './cron/job-state.ts';
import { createCronScheduler, type CronSchedulerOptions, type CronService } from './cron/scheduler.ts';
import { createRateLimiter, sweepRateLimitWindows } from './http/rate-limit.ts';
import { createOtpAttempts } from './auth/otp-attempts.ts';
import { createOtpDecoys } from './auth/otp-decoys.ts';
import { createResendThrottle } from './auth/resend-throttle.ts';
import { createThumbnailService } from './files/thumbnail.ts';
import { createServiceList, stopServices } from './lifecycle.ts';
import { createRealtimeBroker } from './realtime/broker.ts';
import { settleFileRemovals } from './records/record-files.ts';
import { loadSecretStore } from './auth/secrets.ts';
import { resolveConfig, type ConfigInput } from './config.ts';
import type { Core } from './core.ts';
import type { Database } from './db/database.ts';
import { openDatabase } from './db/open.ts';
import { checkSchemaOnStart } from './db/migrate/start-key.ts';
import { GalleyError } from './errors.ts';
import { createEventBus } from './hooks/event-bus.ts';
import { triggerBootstrap, triggerServe, triggerTerminate } from './hooks/lifecycle-hook-points.ts';
import { resolveHooksSource, startHooksService, type HooksOption } from './hooks-file/hooks-service.ts';
import { startOrphanSweep, type OrphanSweepRun } from './files/orphan-sweep.ts';
import { createInstaller } from './admin/installer.ts';
import { findSchemaGate, readStartSchemaFromDatabase, startSchemaService, type SchemaGate } from './admin/schema-service.ts';
import { serveWithPass, type GatePass } from './admin/request-gate.ts';
import { acquireDirLock, type DirLock } from './lib/dir-lock.ts';
import { createApp, createFetchHandler, type GalleyApp, type PeerInfo } from './http/app.ts';
import { listenHttp, type Listener } from './http/listen.ts';
import { createLogger, type Logger } from './lib/log.ts';
import { createStartTrace, type StartTrace } from './lib/start-trace.ts';
import { createLogService, type LogService } from './logs/log-service.ts';
import { teeLogger } from './logs/tee-logger.ts';
import { createLocalStorage } from './lib/storage/local.ts';
import { createSwitchingStorage } from './lib/storage/switching.ts';
import { createHoldingStorage } from './lib/storage/holding.ts';
import { cleanBackupLeftovers, isBackupRunning, recoverInterruptedRestore } from './backups/index.ts';
import { createBackupService, type RestoreRunner } from './backups/backup-service.ts';
import { createRestoreGate, type RestoreGate } from './backups/restore-gate.ts';
import { restoreInProcess, type ReopenableServer } from './backups/restore-in-process.ts';
import { errorResponse } from './http/errors.ts';
import type { RunningService } from './lifecycle.ts';
import { loadSchema, loadSchemaSource } from './schema/load.ts';
import { renderTypesModule, type TypesModuleSource } from './schema/types-module.ts';
import type { Schema } from './schema/model.ts';
import { FULL_LOAD_OPTIONS } from './rules/check-rule-compiles.ts';
import { importPocketbase as importPocketbaseDir, type PocketbaseImportOptions, type PocketbaseImportReport } from './import/pocketbase.ts';
import { applyMigration as applyDirMigration, previewMigration as previewDirMigration, type MigrateDirOptions } from './db/migrate/migrate-dir.ts';
import { deleteSuperuser as deleteSuperuserIn, upsertSuperuser as upsertSuperuserIn } from './auth/superusers.ts';
import { refuseWhileDataHeld } from './migrate-data/held-data.ts';

export interface GalleyOptions extends ConfigInput {
  /** the schema itself (a parsed schema file); wins over `schemaFile` */
  schema?: unknown;
  /** a logger of your own (tests) */
  logger?: Logger;
  /** settings that win over the stored ones at start (after the GALLEY_SMTP_* / GALLEY_APP_* environment) */
  settings?: SettingsInput;
  /** the environment to read GALLEY_* settings from (default: process.env) */
  env?: Record<string, string | undefined>;
  /**
   * Start even though another Galley server holds the data directory (`<dir>/.lock`, taken by createGalley and
   * released by close()). Off by default: two servers on one directory miss each other's schema changes.
   */
  allowSharedDir?: boolean;
  /**
   * Called with the served schema once it is in place at start (again after an in-process restore) and after every
   * switch to a new one: `serve --dev` saves, collections API writes, another process's `migrate apply`. A throw at
   * start fails the start; later ones are logged. `galley serve --types FILE` writes the types module from it.
   */
  onSchemaChange?: (schema: Schema) => void;
  /**
   * Server hooks: the function a hooks file default-exports (`(app) => { app.onRecordCreate(…) }`), or a hooks
   * file's path (imported from disk: under Node only a .js one). Default: GALLEY_HOOKS, else `galley.hooks.ts`
   * beside the schema file if there is one. With `dev`, a hooks file is reloaded when it or its local imports change.
   */
  hooks?: HooksOption;
  /**
   * The time every time-based rule reads: rate-limit windows, sign-in and OTP throttles, token expiry, record
   * timestamps, cron, backup names (default: the system clock). For tests: a pinned or stepped clock makes a
   * "10 requests within 3 s" window a fact instead of a race on a loaded machine. Code that reads the time
   * itself (a `Date.now()`, the database's own clock) does not follow it.
   */
  clock?: () => Date;
}

/** What createGalley found and did at start, for the banner `galley serve` prints. */
export interface GalleyStartReport {
  /** where the schema came from: a file, the `schema` option, data.db's applied schema, or nothing (system collections only) */
  schemaSource: 'file' | 'option' | 'database' | 'none';
  /** the migration steps applied on start, in order ([] when the database already matched) */
  appliedOnStart: string[];
}

export interface Galley {
  readonly core: Core;
  readonly app: GalleyApp;
  readonly startReport: GalleyStartReport;
  /**
   * Answer one request without a socket (tests, embedding in another server). Pass the client's address as
   * `remoteAddress` so rate limits and trusted-proxy rules apply; without it rate limits skip the request.
   */
  handle(request: Request, peer?: PeerInfo): Promise<Response>;
  /** Listen on `config.http` (or the given host:port; port 0 picks a free one). */
  listen(http?: string): Promise<{ url: string }>;
  /**
   * Stop taking requests, finish those in flight, then stop every service in the reverse of its start order
   * (realtime streams, thumbnail worker, cron, file removals, log writes, the database, the dir lock), giving
   * each at most 5 s (a service that takes longer is named in a warning and left behind).
   */
  close(): Promise<void>;
}

function parseHostPort(http: string): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(http.trim());
  if (!m) throw new GalleyError('invalid', `http: "${http}" is not host:port (for example 127.0.0.1:8090)`);
  return { hostname: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
}

/** The orphan sweep begins this long after listen(), off the first requests (docs/operations-start.md). */
const ORPHAN_SWEEP_DELAY_MS = 1_000;

/** view queries run in SQLite, rules compiled against the schema, before anything is served */
const viewCheck = FULL_LOAD_OPTIONS;

/** What openGalley started on the data directory: the services an in-process restore stops and starts again. */
interface GalleyInstance {
  core: Core;
  services: RunningService[];
  startReport: GalleyStartReport;
}

/**
 * The data services, started in this order on what the data directory holds (createGalley stops them in the
 * reverse one): database, log service, file removals (storage), cron scheduler, backups, thumbnails, realtime
 * broker, schema service. Settings, secrets, the rate limiter and the auth throttles hold only memory on the
 * core and have nothing to stop. A start that throws stops what had started.
 */
async function openGalley(options: GalleyOptions, held: { restore: RestoreRunner; trace: StartTrace }): Promise<GalleyInstance> {
  const { trace } = held;
  const config = resolveConfig(options, options.env ?? process.env);
  const log = options.logger ?? createLogger(config.logLevel);
  const services = createServiceList();
  const schemaSource: GalleyStartReport['schemaSource'] = options.schema !== undefined ? 'option' : config.schemaFile ? 'file' : 'none';
  // PostgreSQL (postgres-start.ts) only when asked: a SQLite app never loads it
  const postgres = config.database ? await import('./postgres-start.ts') : undefined;
  // rules compiled for the database that will run them
  const loadOptions = postgres?.POSTGRES_LOAD_OPTIONS ?? viewCheck;
  let schema = await trace.time('schema load + checks', () =>
    options.schema !== undefined ? loadSchema(options.schema, 'schema', loadOptions) : config.schemaFile ? loadSchemaSource(config.schemaFile, loadOptions) : loadSchema([]));
  const startReport: GalleyStartReport = { schemaSource, appliedOnStart: [] };
  try {
    const served = postgres && config.database ? await trace.time('database open', () => postgres.openServedPostgres(config.database!, log, services)) : undefined;
    const db: Database = served?.db ?? trace.time('database open', () => {
      const opened = openDatabase({
        file: join(config.dir, 'data.db'),
        synchronous: config.synchronous,
        busyTimeoutMs: config.busyTimeoutMs,
        log: (level, message) => log[level](message),
      });
      services.add({ name: 'database', stop: () => opened.close() });
      return opened;
    });
    if (schemaSource === 'none') {
      const stored = await readStartSchemaFromDatabase(db);
      if (stored) {
        schema = stored;
        startReport.schemaSource = 'database';
      }
    }
    const started = await trace.time('migrations check/apply', () => checkSchemaOnStart(db, schema));
    startReport.appliedOnStart = started.applied;
    const appliedHash = started.hash;
    const env = options.env ?? process.env;
    const secrets = await trace.time('secrets', () => loadSecretStore(db, schema));
    const overrides = [readSettingsEnv(env), ...(options.settings ? [options.settings] : [])];
    const settings: ListenAwareSettings = followListenUrl(await trace.time('settings', () => loadSettingsStore(db, overrides)), overrides);
    if (postgres && served) await postgres.claimFilesPlace(served, settings, log);
    let logs: LogService;
    let cronState: CronStateStore;
    let claimRun: CronSchedulerOptions['claimRun'];
    if (postgres && served) ({ logs, cronState, claimRun } = postgres.createServedLogs(served, settings, log));
    else {
      const aux = trace.time('log service', () => createLogService({ file: join(config.dir, 'aux.db'), busyTimeoutMs: config.busyTimeoutMs, settings: () => settings.current().logs }));
      logs = aux;
      cronState = createCronStateStore(aux.auxDb);
    }
    services.add({ name: 'log service', stop: () => logs.close() });
    settings.onSave(() => logs.trim());
    const appLog = teeLogger(log, logs);
    const hooks = createEventBus((err) => appLog.error('event listener failed', { error: String(err) }));
    // a backup archiving the storage tree holds local deletions back (backups/busy-marker.ts)
    const localStorage = createHoldingStorage(createLocalStorage(join(config.dir, 'storage')), () => isBackupRunning(config.dir));
    const storage = createSwitchingStorage(localStorage, () => settings.current().s3);
    services.add({ name: 'file removals', stop: () => settleFileRemovals(storage).then(() => localStorage.flushHeldDeletions()) });
    const clock = options.clock ?? (() => new Date());
    trace.mark('storage');
    const cron: CronService = await trace.time('cron scheduler', () => createCronScheduler({ clock, log: appLog, store: cronState, claimRun }));
    services.add({ name: 'cron scheduler', stop: () => cron.close() });
    const backups = postgres
      ? postgres.createPostgresBackupService()
      : createBackupService({ dir: config.dir, db, settings, cron, log: appLog, clock, busyTimeoutMs: config.busyTimeoutMs, maxUploadBytes: config.maxBackupUploadSize, restore: held.restore, hooks });
    services.add({ name: 'backups', stop: () => backups.stop() });
    trace.mark('backups');
    const thumbnails = trace.time('thumbnails', () => createThumbnailService());
    services.add({ name: 'thumbnails', stop: () => thumbnails.stop() });
    const core = {
      config,
      db,
      schema,
      hooks,
      log: appLog,
      clock,
      secrets,
      settings,
      storage,
      signInThrottle: createSignInThrottle(),
      logs,
      cron,
      rateLimiter: createRateLimiter(),
      otpAttempts: createOtpAttempts(),
      otpDecoys: createOtpDecoys(),
      resendThrottle: createResendThrottle(),
      oauth2: { appleNames: new Map(), avatarFetch: undefined },
      thumbnails,
      backups,
      installer: createInstaller(clock),
    } as Omit<Core, 'realtime' | 'schemaService'> as { -readonly [K in keyof Core]: Core[K] };
    // the broker and the schema service read the core they belong to, so they join it last
    const realtime = (core.realtime = trace.time('realtime broker', () => createRealtimeBroker(core)));
    services.add({ name: 'realtime broker', stop: () => realtime.stop() });
    registerBuiltinCronJobs(cron, core, { sweepRateLimiters: (now) => sweepRateLimitWindows(core, now) + core.signInThrottle.sweepSignInThrottle(now) });
    trace.mark('cron jobs');
    const schemaService = (core.schemaService = await trace.time('schema service', () => startSchemaService(core, appliedHash)));
    services.add({ name: 'schema service', stop: () => schemaService.close() });
    if (postgres && served) services.add(postgres.followOtherInstances(core, served));
    const hooksService = await trace.time('hooks', () => startHooksService(core, resolveHooksSource(options.hooks, env, config.schemaFile), { watch: config.dev }));
    services.add({ name: 'hooks', stop: () => hooksService.close() });
    // onBootstrap: everything is up and the hooks are loaded; a throw fails the start (again after a restore, as PocketBase restarts)
    await triggerBootstrap(core.hooks.registry);
    if (options.onSchemaChange) {
      options.onSchemaChange(core.schema);
      schemaService.reloader.onSwap(options.onSchemaChange);
    }
    return { core, services: services.started, startReport };
  } catch (err) {
    await stopServices(services.started, log);
    throw err;
  }
}

/**
 * The lifecycle's one owner. It takes the data dir lock (before data.db opens, so a second server never
 * migrates under the first one), finishes or undoes what a crash left of a restore or backup, starts the data
 * services (openGalley) and, at listen(), the HTTP listener and the orphan sweep. close() stops the listener,
 * the sweep, the data services in reverse, then releases the lock. An in-process restore
 * (backups/restore-in-process.ts) borrows the restore gate and the data services: it stops them, swaps the
 * data and starts them again while the lock and the listener stay.
 */
export async function createGalley(options: GalleyOptions = {}): Promise<Galley> {
  const config = resolveConfig(options, options.env ?? process.env);
  const log = options.logger ?? createLogger(config.logLevel);
  const trace = createStartTrace(options.env ?? process.env);
  trace.mark('process start to createGalley (module load, CLI)');
  // a start that fails (a schema or hooks file error) leaves no data dir behind that it made itself
  const dirIsNew = !existsSync(config.dir);
  const lock: DirLock | undefined = options.allowSharedDir
    ? undefined
    : acquireDirLock(config.dir, 'not listening yet', '--allow-shared-dir (library: allowSharedDir: true)');
  const listeners = createServiceList();
  let instance: GalleyInstance | undefined;
  let app!: GalleyApp;
  let serving: Serving | undefined;
  let listenUrl: string | undefined;
  let sweep: OrphanSweepRun | undefined;
  const unavailable = () => errorResponse(new GalleyError('unavailable', 'A backup is being restored; try again in a few seconds.', { retryAfter: 5 }), log);
  const gate = createRestoreGate(unavailable, log);
  const startServices = async () => {
    const opened = await openGalley({ ...options, logger: log }, { restore: (archive, key, marker, preRestore) => restoreInProcess(config.dir, archive, key, marker, server, preRestore), trace });
    app = trace.time('http app', () => createApp(opened.core));
    serving = { fetch: createFetchHandler(opened.core, app), schemaGate: findSchemaGate(opened.core) };
    instance = opened;
    if (listenUrl) {
      (opened.core.settings as ListenAwareSettings).adoptListenUrl(listenUrl);
      // In the background, once requests are being answered: files a crash left without their record.
      sweep = startOrphanSweep(opened.core, { delayMs: ORPHAN_SWEEP_DELAY_MS });
    }
  };
  const stopDataServices = async () => {
    const current = instance;
    instance = undefined;
    serving = undefined;
    sweep?.cancel();
    await sweep?.done;
    sweep = undefined;
    if (current) await stopServices(current.services, log);
  };
  const server: ReopenableServer = {
    closeGate: () => gate.close(),
    openGate: () => gate.open(),
    // wire: PocketBase restarts after a restore with onTerminate's isRestart true; here the services restart in place
    stopServices: async () => {
      if (instance) await triggerTerminate(instance.core.hooks.registry, instance.core.log, undefined, true);
      await stopDataServices();
    },
    startServices,
    log: () => instance?.core.log ?? log,
  };
  try {
    // a restore or backup that a crash (kill -9) interrupted: finish or undo it, remove its temp files
    trace.mark('dir lock');
    if (lock) for (const done of [...recoverInterruptedRestore(config.dir), ...cleanBackupLeftovers(config.dir).map((n) => `removed backups/${n} left by an interrupted backup`)]) log.warn(`start: ${done}`);
    trace.mark('restore/backup leftovers');
    await startServices();
  } catch (err) {
    lock?.release();
    // only under our own lock: with allowSharedDir another process may be using a dir we happened to create
    if (lock && dirIsNew) rmSync(config.dir, { recursive: true, force: true });
    throw err;
  }
  const startReport = instance!.startReport;
  const handle = passGates(gate, () => serving, unavailable);
  let closed: Promise<void> | undefined;
  return {
    get core() {
      return instance!.core;
    },
    get app() {
      return app;
    },
    startReport,
    handle,
    async listen(http = config.http) {
      const { hostname, port } = parseHostPort(http);
      trace.mark('until listen()');
      // routes cap their own bodies; a backup upload streams to disk under config.maxBackupUploadSize (its 413)
      const listener: Listener = await trace.time('listener', () => listenHttp({ hostname, port, fetch: handle, maxRequestBodySize: Math.max(config.maxBodySize, 256 * 1024 * 1024, config.maxBackupUploadSize + 1024 * 1024) }));
      listeners.add({ name: `HTTP listener ${listener.url}`, stop: () => listener.stop() });
      listenUrl = listener.url;
      (instance!.core.settings as ListenAwareSettings).adoptListenUrl(listener.url);
      lock?.setAddress(listener.url);
      try {
        await triggerServe(instance!.core.hooks.registry, listener.url);
      } catch (err) {
        await stopServices(listeners.started.splice(-1), log);
        throw err;
      }
      // In the background, once requests are being answered: files a crash left without their record.
      sweep = startOrphanSweep(instance!.core, { delayMs: ORPHAN_SWEEP_DELAY_MS });
      return { url: listener.url };
    },
    close() {
      // the plain logger: the log service is among what stops
      return (closed ??= (async () => {
        // onTerminate first, while the data services still answer (bounded: a hook that hangs does not hold close)
        if (instance) await triggerTerminate(instance.core.hooks.registry, instance.core.log);
        await stopServices(listeners.started, log);
        await stopDataServices();
        lock?.release();
      })());
    },
  };
}

/** The data services' handler and their schema gate (none without a schema service). */
interface Serving {
  readonly fetch: (request: Request, peer?: PeerInfo) => Promise<Response>;
  readonly schemaGate: SchemaGate | undefined;
}

/**
 * Every request through the restore gate, then the schema gate, in one async frame (each gate's own wrapper
 * cost a frame, a promise and an await per request): the restore gate refuses while a restore runs, and
 * counts the request until its answer; no data services (stopped for a restore) is the same refusal.
 */
function passGates(restore: RestoreGate, current: () => Serving | undefined, unavailable: () => Response): (request: Request, peer?: PeerInfo) => Promise<Response> {
  return async (request, peer) => {
    if (!restore.enter()) return unavailable();
    try {
      const serving = current();
      if (!serving) return unavailable();
      const schemaGate = serving.schemaGate;
      if (!schemaGate) return await serving.fetch(request, peer);
      const entered = schemaGate.gate.enter();
      const pass: GatePass = entered instanceof Promise ? await entered : entered;
      let response: Response;
      try {
        response = await serveWithPass(pass, serving.fetch, request, peer);
      } finally {
        pass.leave();
      }
      schemaGate.afterAnswer(response.status);
      return response;
    } finally {
      restore.leave();
    }
  };
}

export { listSuperusers, listSuperusersIn, type SuperuserEntry } from './auth/superusers-list.ts';
export { readDirLock, isDirLockHeld, describeDirLockOwner, findDirLockCommand, type DirLockOwner } from './lib/dir-lock.ts';
export { generateSchemaJsonSchema } from './schema/json-schema.ts';
export { loadSchema, loadSchemaFile, loadSchemaSource } from './schema/load.ts';
export { GalleyError } from './errors.ts';
export { HooksFileError, type HooksSetup } from './hooks-file/load-hooks.ts';
export type { HooksApp } from './hooks-file/hooks-app.ts';
export type { HooksOption } from './hooks-file/hooks-service.ts';
export {
  assertNewBackupName, backupFilePath, createBackupArchive, defaultBackupName, deleteBackupFile, listBackupFiles, restoreBackupIntoDir,
  lowerProcessPriority, runBackupChild, type BackupFileInfo, type BackupProgress, type CreatedArchive,
} from './backups/index.ts';
export { listMigrationHistory, type MigrateDirOptions, type MigrationPreview } from './db/migrate/migrate-dir.ts';

/** The schema file's checks as `serve` makes them for that database (rules compiled for PostgreSQL with `database`). */
async function migrateLoadOptions(database: string | undefined): Promise<typeof FULL_LOAD_OPTIONS> {
  return resolveConfig({ database }).database ? (await import('./postgres-start.ts')).POSTGRES_LOAD_OPTIONS : FULL_LOAD_OPTIONS;
}

/** `galley migrate plan`/`status`: the schema file is loaded as `serve` loads it (rules compiled too). */
export async function previewMigration(opts: MigrateDirOptions = {}): ReturnType<typeof previewDirMigration> {
  return previewDirMigration({ loadOptions: await migrateLoadOptions(opts.database), ...opts });
}

/** `galley migrate apply`, with the schema file loaded as `serve` loads it; refused while migrate-data or a restore holds the data. */
export async function applyMigration(opts: Parameters<typeof applyDirMigration>[0]): ReturnType<typeof applyDirMigration> {
  await refuseWhileDataHeld(opts, 'migrate apply');
  return applyDirMigration({ loadOptions: await migrateLoadOptions(opts.database), ...opts });
}
/** `galley superuser upsert`; refused while migrate-data or a restore holds the data. */
export async function upsertSuperuser(...args: Parameters<typeof upsertSuperuserIn>): ReturnType<typeof upsertSuperuserIn> {
  await refuseWhileDataHeld(args[0], 'superuser upsert');
  return upsertSuperuserIn(...args);
}
/** `galley superuser delete`; refused while migrate-data or a restore holds the data. */
export async function deleteSuperuser(...args: Parameters<typeof deleteSuperuserIn>): ReturnType<typeof deleteSuperuserIn> {
  await refuseWhileDataHeld(args[0], 'superuser delete');
  return deleteSuperuserIn(...args);
}
/** `galley types`: the schema file loaded as `serve` loads it, as a const module (schema/types-module.ts). */
export async function generateTypesModule(schemaFile: string, source: TypesModuleSource): Promise<string> {
  return renderTypesModule(await loadSchemaSource(schemaFile, FULL_LOAD_OPTIONS), source);
}
export { renderTypesModule, type TypesModuleSource } from './schema/types-module.ts';
/** `galley import pocketbase`: the schema file it writes is loaded as `serve` loads it. */
export function importPocketbase(opts: PocketbaseImportOptions): Promise<PocketbaseImportReport> {
  return importPocketbaseDir({ loadOptions: FULL_LOAD_OPTIONS, ...opts });
}
export { formatImportSummary, type PocketbaseImportOptions, type PocketbaseImportReport } from './import/pocketbase.ts';
export { migrateData, type CollectionCount, type CopyProgress, type FilesNote, type MigrateDataOptions, type MigrateDataReport } from './migrate-data/migrate-data.ts';
export { countLossySteps, formatPlanSteps } from './db/migrate/format-plan.ts';
export type { MigrationRecord } from './db/migrate/history.ts';
export type { CheckedPlan, CheckedStep, MigrationStep } from './db/migrate/step.ts';
export type { Config } from './config.ts';
export type { Schema, CollectionModel, FieldModel } from './schema/model.ts';
