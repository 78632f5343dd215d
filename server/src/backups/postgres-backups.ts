/**
 * Backups on PostgreSQL (`galley serve --database`): a backup here is an archive of data.db, aux.db and local
 * storage, none of which such a server has, so every operation but the (empty) list answers a 400 saying why.
 * The database is backed up with PostgreSQL's own tools (pg_dump, or the provider's snapshots), files with S3's.
 */
import { GalleyError } from '../errors.ts';
import type { BackupService } from './backup-service.ts';

const refused = (): GalleyError =>
  new GalleyError(
    'invalid',
    'Backups archive the SQLite database files; this server runs on PostgreSQL: back it up with pg_dump (or your provider\'s snapshots) and files with your S3 storage.',
  );

export function createPostgresBackupService(): BackupService {
  const refuse = () => Promise.reject(refused());
  return {
    list: () => Promise.resolve([]),
    create: refuse,
    upload: refuse,
    download: refuse,
    remove: refuse,
    restore: refuse,
    // wire: /api/health's canBackup
    canBackup: () => false,
    runAutoBackup: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  };
}
