/**
 * One Galley's backups (held as `core.backups`, a lifecycle service): archives under `<dir>/backups/`, the
 * API's operations, the auto-backup cron job (`backups.cron`, `backups.cronMaxKeep`) and the hand-over of a
 * restore to the lifecycle's owner (createGalley), which alone may close and reopen the services.
 */
import type { SettingsStore } from '../admin/settings-store.ts';
import type { CronService } from '../cron/scheduler.ts';
import type { Database } from '../db/database.ts';
import { GalleyError, notFound } from '../errors.ts';
import type { HooksRegistry } from '../hooks/hooks-registry.ts';
import { triggerMailSend } from '../hooks/mail-hook-points.ts';
import type { Logger } from '../lib/log.ts';
import { sendMail, type MailMessage } from '../lib/mail.ts';
import { SUPERUSERS_NAME } from '../schema/system-collections.ts';
import { rm } from 'node:fs/promises';
import { serveStoredFile } from '../files/file-response.ts';
import { createLocalArchiveStore, createS3ArchiveStore, type ArchiveStore } from './archive-store.ts';
import { assertNewBackupName, backupNameTaken, defaultBackupName, isBackupKey } from './backup-name.ts';
import type { BackupFileInfo } from './backup-files.ts';
import { acquireBusyMarker, isBackupRunning, type BusyMarker } from './busy-marker.ts';
import { createBackupArchive } from './create-archive.ts';
import { uploadBackupArchive } from './upload-archive.ts';

/** wire: PocketBase's job id; Galley's archive prefix names Galley. */
export const AUTO_BACKUP_JOB = '__pbAutoBackup__';
export const AUTO_BACKUP_PREFIX = '@auto_galley_backup';

/**
 * Where a restore keeps the data it replaces (`@pre_restore_<time>.tar.gz`): with the other backups, so the
 * API lists it and can restore it — in the backups.s3 bucket while it is enabled. `path` is where the archive
 * is written; keep() puts it in place (into the bucket; should that fail, it stays in `<dir>/backups/`, logged).
 */
export interface PreRestoreTarget {
  path: string;
  keep(): Promise<void>;
}

/** Runs an in-process restore of `archive` (createGalley's); the marker is released by it when done. */
export type RestoreRunner = (archive: string, key: string, marker: BusyMarker, preRestore: PreRestoreTarget) => Promise<void>;

export interface BackupService {
  list(): Promise<BackupFileInfo[]>;
  /** Makes a backup (the answer waits for it, as PocketBase's does); `name` defaults to galley_backup_<time>. */
  create(name?: string): Promise<string>;
  upload(request: Request): Promise<string>;
  /** The archive as a download (ranges, conditional requests); 404 when there is none. */
  download(key: string, request: Request): Promise<Response>;
  remove(key: string): Promise<void>;
  /** Checks, then starts the restore in the background (the answer leaves first). */
  restore(key: string): Promise<void>;
  /** PocketBase's health flag: no backup or restore runs. */
  canBackup(): boolean;
  /** The auto-backup job's run (tests; the scheduler calls it). */
  runAutoBackup(): Promise<void>;
  stop(): Promise<void>;
}

export interface BackupServiceDeps {
  dir: string;
  db: Database;
  settings: SettingsStore;
  cron: CronService;
  log: Logger;
  clock: () => Date;
  busyTimeoutMs: number;
  /** the largest upload (POST /api/backups/upload) taken, in bytes */
  maxUploadBytes: number;
  /** absent when this Galley cannot restore in-process (never in practice: createGalley passes it) */
  restore?: RestoreRunner;
  /** the app's event bus: the failure alert goes through its registry's onMailerSend hooks like every mail */
  hooks?: { readonly registry: HooksRegistry };
}

export function createBackupService(deps: BackupServiceDeps): BackupService {
  const { dir, log } = deps;
  const local = createLocalArchiveStore(dir);
  let bucket: { signature: string; store: ReturnType<typeof createS3ArchiveStore> } | undefined;
  /** `<dir>/backups/`, or the backups.s3 bucket while it is enabled (a driver per set of options). */
  const store = (): ArchiveStore => {
    const s3 = deps.settings.current().backups.s3;
    if (!s3.enabled) return local;
    const signature = JSON.stringify([s3.bucket, s3.region, s3.endpoint, s3.accessKey, s3.secret, s3.forcePathStyle]);
    if (bucket?.signature !== signature) {
      const old = bucket?.store;
      bucket = { signature, store: createS3ArchiveStore(dir, s3) };
      // requests in flight on the old client finish before its sockets close
      if (old) setTimeout(() => old.destroy(), 60_000).unref?.();
    }
    return bucket.store;
  };
  /** aborted by stop(): a backup's child process is killed (or its pack worker terminated), its temp files removed */
  const stopping = new AbortController();
  let running: Promise<unknown> | undefined;
  const track = <T>(work: Promise<T>): Promise<T> => {
    running = work.then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      if (running === tracked) running = undefined;
    });
    const tracked = running;
    return work;
  };

  const make = async (name: string): Promise<string> => {
    const target = store();
    if (await target.exists(name)) throw backupNameTaken();
    const out = target.localPathFor(name);
    const work = async () => {
      // in a child process: the paced copy would drop this process's connections' locks, and the packing's CPU
      // would share this process with the requests (backup-child.ts)
      const made = await createBackupArchive({ dir, out, s3Files: deps.settings.current().s3.enabled, busyTimeoutMs: deps.busyTimeoutMs, pacedSnapshot: 'child-process', signal: stopping.signal });
      for (const [db, how] of Object.entries(made.snapshots)) {
        if (how.method === 'vacuum-into') log.warn('Backup snapshot taken with VACUUM INTO', { name, database: db, reason: how.reason });
      }
      await target.keep(name, out).catch(async (err: unknown) => {
        await rm(out, { force: true });
        throw err;
      });
    };
    await track(
      work().catch((err: unknown) => {
        if (err instanceof GalleyError) throw err;
        throw new GalleyError('invalid', 'Failed to create backup.', { cause: err });
      }),
    );
    return name;
  };

  const alertSuperusers = async (message: string) => {
    const settings = deps.settings.current();
    if (!settings.smtp.enabled) return;
    const rows = (await deps.db.read.selectFrom(SUPERUSERS_NAME).select('email').execute()) as Array<{ email: string }>;
    if (rows.length === 0) return;
    const mail: MailMessage = {
      from: { name: settings.meta.senderName, address: settings.meta.senderAddress },
      to: rows.map((r) => ({ address: r.email })),
      subject: 'Autobackup failure',
      html: `<p>Failed to create the automated backup. Raw error:</p><pre>${message.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre>`,
    };
    const deliver = (m: MailMessage) => sendMail(settings.smtp, m);
    // through onMailerSend like every other mail (a hook may change or veto it)
    await (deps.hooks ? triggerMailSend(deps.hooks.registry, log, mail, deliver) : deliver(mail));
  };

  const runAutoBackup = async () => {
    const name = defaultBackupName(deps.clock(), AUTO_BACKUP_PREFIX);
    try {
      await make(name);
    } catch (err) {
      const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      log.error('[Backup cron] Failed to create backup', { name, error: message });
      await alertSuperusers(message).catch((mailErr: unknown) => log.warn('[Backup cron] Failed to send backup error alerts', { name, error: String(mailErr) }));
      return;
    }
    const maxKeep = deps.settings.current().backups.cronMaxKeep;
    if (maxKeep <= 0) return;
    const target = store();
    const autos = (await target.list()).filter((b) => b.key.startsWith(`${AUTO_BACKUP_PREFIX}_`));
    for (const old of autos.slice(maxKeep)) {
      try {
        await target.remove(old.key);
      } catch (err) {
        log.error('[Backup cron] Failed to remove old autogenerated backup', { name: old.key, error: String(err) });
      }
    }
  };

  const preRestoreTarget = (target: ArchiveStore): PreRestoreTarget => {
    const name = defaultBackupName(deps.clock(), '@pre_restore');
    if (target.kind === 'local') return { path: target.localPathFor(name), keep: async () => undefined };
    // written under backups/ under its own name: if the bucket refuses it, it is kept there as it is
    const path = local.localPathFor(name);
    return {
      path,
      async keep() {
        try {
          await target.keep(name, path);
        } catch (err) {
          log.error('Failed to upload the pre-restore backup to the backups bucket; it is kept on local disk', { name, path, error: err instanceof Error ? err.message : String(err) });
        }
      },
    };
  };

  let schedule = '';
  const syncJob = () => {
    const cron = deps.settings.current().backups.cron;
    if (cron === schedule) return;
    schedule = cron;
    if (cron === '') deps.cron.remove(AUTO_BACKUP_JOB);
    else deps.cron.add(AUTO_BACKUP_JOB, cron, () => runAutoBackup());
  };
  syncJob();
  deps.settings.onSave(() => {
    try {
      syncJob();
    } catch (err) {
      log.error('[Backup cron] Invalid backups.cron', { error: String(err) });
    }
  });

  return {
    list: () => store().list(),
    async create(name) {
      const key = name === undefined || name === '' ? defaultBackupName(deps.clock()) : name;
      assertNewBackupName(key);
      if (isBackupRunning(dir)) throw new GalleyError('invalid', 'Try again later - another backup/restore process has already been started.');
      return make(key);
    },
    upload: (request) => track(uploadBackupArchive(dir, request, store(), deps.maxUploadBytes)),
    async download(key, request) {
      if (!isBackupKey(key)) throw notFound();
      return serveStoredFile(store().files, key, request, { name: key, download: true });
    },
    async remove(key) {
      const target = store();
      if (!(await target.exists(key))) throw new GalleyError('invalid', 'Invalid or already deleted backup file.');
      await target.remove(key);
    },
    async restore(key) {
      const source = store();
      if (!(await source.exists(key))) throw new GalleyError('invalid', 'Missing or invalid backup file.');
      const runner = deps.restore;
      if (!runner) throw new GalleyError('unavailable', 'This server cannot restore in-process.');
      const marker = acquireBusyMarker(dir, 'restore');
      void (async () => {
        let fetched: Awaited<ReturnType<ArchiveStore['fetch']>> | undefined;
        try {
          fetched = await source.fetch(key);
        } catch (err) {
          marker.release();
          log.error('Failed to restore backup', { key, error: err instanceof Error ? err.message : String(err) });
          return;
        }
        try {
          await runner(fetched.path, key, marker, preRestoreTarget(source));
        } finally {
          await fetched.release();
        }
      })();
    },
    canBackup: () => !isBackupRunning(dir),
    runAutoBackup,
    async stop() {
      deps.cron.remove(AUTO_BACKUP_JOB);
      stopping.abort();
      await running?.catch(() => undefined);
      bucket?.store.destroy();
    },
  };
}
