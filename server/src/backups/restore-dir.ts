/**
 * `galley backup restore` on a data directory no server runs on: check the archive (verify-archive.ts), keep
 * the current data as `@pre_restore_<time>.tar.gz` (made as `galley backup create` makes an archive: the paced
 * copy on the snapshot worker, the pack on the pack worker), then swap the restored data in (restore-swap.ts).
 * The directory's lock is taken for the whole restore, so no server starts on half-restored data.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { GalleyError } from '../errors.ts';
import { acquireDirLock, describeDirLockOwner, isDirLockHeld, readDirLock } from '../lib/dir-lock.ts';
import { defaultBackupName } from './backup-name.ts';
import { backupsDir } from './backup-files.ts';
import { acquireBusyMarker } from './busy-marker.ts';
import { createBackupArchive, type BackupProgress } from './create-archive.ts';
import type { SnapshotMethod } from './db-jobs.ts';
import type { BackupManifest } from './manifest.ts';
import { recoverInterruptedRestore, RESTORE_STAGING_PREFIX, swapInRestoredData } from './restore-swap.ts';
import { extractAndVerifyArchive, removeStaging } from './verify-archive.ts';

export interface RestoreDirResult {
  manifest: BackupManifest;
  /** the automatic backup of the data that was there (undefined: the directory held no data) */
  preRestoreBackup?: string;
  /** how that backup's databases were snapshotted, by name (the paced copy, as `galley backup create`'s) */
  preRestoreSnapshots?: Record<string, SnapshotMethod>;
}

/** What the directory's lock names while this restore holds it: other commands refuse then (migrate-data/held-data.ts). */
export const RESTORE_COMMAND = 'galley backup restore';

/** Refuses when a server runs on `dir`, saying how to restore through it instead. */
function assertNoServer(dir: string, archiveName: string): void {
  const owner = readDirLock(dir);
  if (!owner || !isDirLockHeld(owner)) return;
  throw new GalleyError(
    'unavailable',
    `a Galley server is running on ${dir} (${describeDirLockOwner(owner)}). Restore through it instead: ` +
      `upload the archive as a superuser (POST ${owner.address}/api/backups/upload, or the dashboard's Backups page) and ` +
      `POST ${owner.address}/api/backups/${archiveName}/restore (pb.backups.restore("${archiveName}")); or stop the server and run this again.`,
  );
}

export async function restoreBackupIntoDir(opts: { dir: string; archive: string; onProgress?: (p: BackupProgress) => void }): Promise<RestoreDirResult> {
  const archiveName = opts.archive.split(/[\\/]/).pop() ?? opts.archive;
  assertNoServer(opts.dir, archiveName);
  mkdirSync(opts.dir, { recursive: true });
  const lock = acquireDirLock(opts.dir, RESTORE_COMMAND, '(no override: stop the server first)');
  try {
    recoverInterruptedRestore(opts.dir);
    const marker = acquireBusyMarker(opts.dir, 'restore');
    const staging = join(opts.dir, `${RESTORE_STAGING_PREFIX}${randomBytes(6).toString('hex')}`);
    try {
      const manifest = await extractAndVerifyArchive(opts.archive, staging);
      let preRestoreBackup: string | undefined;
      let preRestoreSnapshots: Record<string, SnapshotMethod> | undefined;
      if (existsSync(join(opts.dir, 'data.db'))) {
        preRestoreBackup = join(backupsDir(opts.dir), defaultBackupName(new Date(), '@pre_restore'));
        // the same archive as `galley backup create`'s, paced copy included: this process holds no connection to
        // the directory's databases (the checks above open only the staged copies, other files)
        const kept = await createBackupArchive({ dir: opts.dir, out: preRestoreBackup, marker, pacedSnapshot: true, onProgress: opts.onProgress });
        preRestoreSnapshots = kept.snapshots;
      }
      swapInRestoredData(opts.dir, staging).commit();
      return { manifest, preRestoreBackup, preRestoreSnapshots };
    } finally {
      await removeStaging(staging);
      marker.release();
    }
  } finally {
    lock.release();
  }
}
