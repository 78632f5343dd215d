/**
 * The short writers that run beside a server (`galley migrate apply`, `galley superuser upsert`/`delete`) refuse
 * while `galley migrate-data` or a restore holds the data, as `serve` refuses to start then: what they wrote would
 * be left out of the copy, or replaced by the restored data, after they said it was done. A server holding the
 * data is no obstacle (it follows an apply by itself). Checked once, before the write: a copy or restore started
 * while the command writes is not seen (neither can wait for the other: the command takes no lock a server holds).
 */
import { findRunningRestore } from '../backups/busy-marker.ts';
import { resolveConfig } from '../config.ts';
import { GalleyError } from '../errors.ts';
import type { DatabaseUrl } from '../lib/database-url.ts';
import { findDirLockCommand, isDirLockHeld, readDirLock } from '../lib/dir-lock.ts';

/** Throws (503-like `unavailable`) naming who holds the data and what to do; `command` as typed, 'migrate apply'. */
export async function refuseWhileDataHeld(target: { dir?: string; database?: string }, command: string): Promise<void> {
  const config = resolveConfig({ dir: target.dir, database: target.database });
  const holder = config.database ? await findPostgresHolder(config.database.url, command) : findDirHolder(config.dir);
  if (holder) throw new GalleyError('unavailable', `${holder}: nothing was written. Run \`galley ${command}\` again once it has ended, or stop it.`);
}

function findDirHolder(dir: string): string | undefined {
  const owner = readDirLock(dir);
  const command = owner && isDirLockHeld(owner) ? findDirLockCommand(owner) : undefined;
  if (owner && command) return `${command} holds the data directory ${dir} (pid ${owner.pid}, since ${owner.since})`;
  // a restore through a server's API: the server holds the directory's lock, the restore the backups marker
  const restore = findRunningRestore(dir);
  if (restore) return `a backup is being restored into the data directory ${dir} (pid ${restore.pid}, since ${restore.since})`;
  return undefined;
}

/** PostgreSQL: migrate-data's session holds the files lock exclusively for the whole copy (a local-disk instance's exclusive lock is no obstacle). */
async function findPostgresHolder(url: DatabaseUrl, command: string): Promise<string | undefined> {
  const [{ connectPostgresSession }, { describeFilesLockHolder, findFilesLockHolders, MIGRATE_DATA_APPLICATION }] = await Promise.all([
    import('../db/postgres-driver.ts'),
    import('../db/postgres-listener.ts'),
  ]);
  const session = await connectPostgresSession(url.reveal(), `galley ${command}`);
  try {
    const copy = (await findFilesLockHolders(session)).find((h) => h.exclusive && h.application === MIGRATE_DATA_APPLICATION);
    return copy && `${describeFilesLockHolder(copy)} holds the PostgreSQL database ${url.masked} while it copies the app`;
  } finally {
    await session.end();
  }
}
