/**
 * Where finished archives are kept: `<dir>/backups/` on local disk, or the `backups.s3` bucket while it is
 * enabled (PocketBase's settings). Archives are always made and checked on local disk first (backups/.tmp-*),
 * then kept: renamed into place, or streamed to the bucket and the local copy removed. A restore from the
 * bucket streams the object down to a local temp file first.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import type { FileStorage } from '../lib/storage/file-storage.ts';
import { createLocalStorage } from '../lib/storage/local.ts';
import { createS3Storage, type S3Options, type S3Storage } from '../lib/storage/s3.ts';
import { isBackupKey } from './backup-name.ts';
import { backupsDir, listBackupFiles, type BackupFileInfo } from './backup-files.ts';
import { STAGING_PREFIX } from './create-archive.ts';

export interface ArchiveStore {
  readonly kind: 'local' | 's3';
  /** For downloads (files/file-response.ts serves any FileStorage, ranges included). */
  readonly files: FileStorage;
  list(): Promise<BackupFileInfo[]>;
  exists(key: string): Promise<boolean>;
  /** Where a new archive is written before keep(): the final path on local disk, a temp path otherwise. */
  localPathFor(key: string): string;
  /** Keeps the archive written at localPathFor(key) (on failure the local file is left to the caller). */
  keep(key: string, localPath: string): Promise<void>;
  /** A local file holding the archive, and how to let go of it. */
  fetch(key: string): Promise<{ path: string; release(): Promise<void> }>;
  remove(key: string): Promise<void>;
}

/** wire: PocketBase's datetime text. */
const formatModified = (date: Date) => date.toISOString().replace('T', ' ');

export function createLocalArchiveStore(dir: string): ArchiveStore {
  const folder = backupsDir(dir);
  const files = createLocalStorage(folder);
  return {
    kind: 'local',
    files,
    list: async () => listBackupFiles(dir),
    exists: async (key) => isBackupKey(key) && (await files.stat(key)) !== null,
    localPathFor: (key) => join(folder, key),
    async keep(key, localPath) {
      if (localPath !== join(folder, key)) await rename(localPath, join(folder, key));
    },
    fetch: async (key) => ({ path: join(folder, key), release: async () => undefined }),
    remove: (key) => rm(join(folder, key)),
  };
}

export function createS3ArchiveStore(dir: string, options: S3Options): ArchiveStore & { destroy(): void } {
  const folder = backupsDir(dir);
  const s3: S3Storage = createS3Storage(options);
  const tempPath = (label: string) => {
    mkdirSync(folder, { recursive: true });
    return join(folder, `${STAGING_PREFIX}s3-${label}-${randomBytes(6).toString('hex')}.tar.gz`);
  };
  return {
    kind: 's3',
    files: s3,
    async list() {
      const out: Array<BackupFileInfo & { at: number }> = [];
      for await (const item of s3.list('')) {
        if (!isBackupKey(item.key)) continue;
        out.push({ key: item.key, size: item.size, modified: formatModified(item.modified), at: item.modified.getTime() });
      }
      return out.sort((a, b) => b.at - a.at || (a.key < b.key ? 1 : -1)).map(({ at: _at, ...rest }) => rest);
    },
    exists: async (key) => isBackupKey(key) && (await s3.stat(key)) !== null,
    localPathFor: () => tempPath('out'),
    async keep(key, localPath) {
      await s3.putFile(key, localPath);
      await rm(localPath, { force: true });
    },
    async fetch(key) {
      const object = await s3.get(key);
      if (!object) throw new Error(`${key} is not in the backups bucket`);
      const path = tempPath('in');
      try {
        // node:stream on an S3 restore only, not at every start (issue 16)
        const [{ Readable }, { pipeline }] = await Promise.all([import('node:stream'), import('node:stream/promises')]);
        await pipeline(Readable.fromWeb(object.body as unknown as NodeWebStream<Uint8Array>), createWriteStream(path));
      } catch (err) {
        await rm(path, { force: true });
        throw err;
      }
      return { path, release: () => rm(path, { force: true }) };
    },
    remove: (key) => s3.delete(key),
    destroy: () => s3.destroy(),
  };
}
