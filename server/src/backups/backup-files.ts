/** The archives kept under `<dir>/backups/`: list, path of one, delete, and what a crash left behind. */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { notFound } from '../errors.ts';
import { isBackupKey } from './backup-name.ts';
import { BACKUPS_DIR, isBackupRunning } from './busy-marker.ts';
import { STAGING_PREFIX } from './create-archive.ts';

export interface BackupFileInfo {
  key: string;
  size: number;
  /** wire: PocketBase's `modified`, a UTC datetime string */
  modified: string;
}

export const backupsDir = (dir: string) => join(dir, BACKUPS_DIR);

/** wire: PocketBase's datetime text, `2006-01-02 15:04:05.000Z`. */
function formatModified(date: Date): string {
  return date.toISOString().replace('T', ' ');
}

/** Every stored archive, newest first. */
export function listBackupFiles(dir: string): BackupFileInfo[] {
  const folder = backupsDir(dir);
  if (!existsSync(folder)) return [];
  const out: Array<BackupFileInfo & { at: number }> = [];
  for (const name of readdirSync(folder)) {
    if (!isBackupKey(name)) continue;
    const info = statSync(join(folder, name), { throwIfNoEntry: false });
    if (!info?.isFile()) continue;
    out.push({ key: name, size: info.size, modified: formatModified(info.mtime), at: info.mtimeMs });
  }
  return out.sort((a, b) => b.at - a.at).map(({ at: _at, ...rest }) => rest);
}

/** The path of a stored archive, or a 404 (a key that is no backup name never reaches the file system). */
export function findBackupFile(dir: string, key: string): string {
  if (!isBackupKey(key)) throw notFound();
  const path = join(backupsDir(dir), key);
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw notFound();
  return path;
}

export function deleteBackupFile(dir: string, key: string): void {
  rmSync(findBackupFile(dir, key));
}

/**
 * Removes what a backup killed mid-way left (`backups/.tmp-*` staging folders, `*.partial` archives), unless a
 * live process is making one right now.
 */
export function cleanBackupLeftovers(dir: string): string[] {
  const folder = backupsDir(dir);
  if (!existsSync(folder) || isBackupRunning(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(folder)) {
    if (name.startsWith(STAGING_PREFIX) || name.endsWith('.partial')) {
      rmSync(join(folder, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/** Where a new backup named `key` goes. */
export const backupFilePath = (dir: string, key: string) => join(backupsDir(dir), key);
