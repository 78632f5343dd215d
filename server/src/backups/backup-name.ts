/** Backup names: PocketBase's rules with Galley's `.tar.gz` archives. */
import { GalleyError, issue } from '../errors.ts';

/** wire: PocketBase's name rule with `.zip` replaced by `.tar.gz` (Galley's archives are gzipped tarballs). */
const NAME = /^[a-z0-9_-]+\.tar\.gz$/;
/** Names Galley gives its own archives (`@auto_galley_backup_…`, `@pre_restore_…`); users cannot pick them. */
const SYSTEM_NAME = /^@[a-z0-9_-]+\.tar\.gz$/;
export const MAX_NAME_LENGTH = 150;

/** `galley_backup_<UTC yyyymmddhhmmss>.tar.gz`, or with another prefix (`@auto_galley_backup`). */
export function defaultBackupName(now: Date, prefix = 'galley_backup'): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${prefix}_${stamp}.tar.gz`;
}

/** Throws a 400 with a `name` field issue unless `name` is a name a user may give a new backup. */
export function assertNewBackupName(name: string): void {
  let found: ReturnType<typeof issue> | undefined;
  if (name.length < 1 || name.length > MAX_NAME_LENGTH) found = issue('validation_length_out_of_range', `The length must be between 1 and ${MAX_NAME_LENGTH}.`);
  else if (/\.zip$/i.test(name)) found = issue('validation_match_invalid', "Galley's backups are .tar.gz archives: use a name ending in .tar.gz (PocketBase's .zip backups cannot be restored here).");
  else if (!NAME.test(name)) found = issue('validation_match_invalid', 'Must be in a valid format: lowercase letters, digits, "_" or "-", ending in .tar.gz (no "/" or "..").');
  // wire: PocketBase's message for a create whose body fails its checks
  if (found) throw new GalleyError('invalid', 'An error occurred while validating the submitted data.', { issues: { name: found } });
}

/** wire: PocketBase's refusal of a name already taken. */
export function backupNameTaken(): GalleyError {
  return new GalleyError('invalid', 'An error occurred while validating the submitted data.', {
    issues: { name: issue('validation_backup_name_exists', 'The backup file name is invalid or already exists.') },
  });
}

/** True for a key that may name a stored backup (a user's or one of Galley's own). */
export function isBackupKey(key: string): boolean {
  return key.length <= MAX_NAME_LENGTH + 1 && (NAME.test(key) || SYSTEM_NAME.test(key));
}
