import type { FileStorage } from './file-storage.ts';
import { createS3Storage, type S3Options, type S3Storage } from './s3.ts';

/** What the facade reads on every call: the `s3` settings in force (PocketBase's shape). */
export type S3Switch = S3Options & { enabled: boolean };

/**
 * One FileStorage that follows the settings: local disk while `s3.enabled` is off, else an S3 driver built
 * for the current options (rebuilt when they change). Files already stored stay where they were written.
 */
export function createSwitchingStorage(local: FileStorage, readS3: () => S3Switch): FileStorage {
  let cached: { signature: string; driver: S3Storage } | undefined;
  const pick = (): FileStorage => {
    const s3 = readS3();
    if (!s3.enabled) return local;
    const signature = JSON.stringify([s3.bucket, s3.region, s3.endpoint, s3.accessKey, s3.secret, s3.forcePathStyle]);
    if (cached?.signature !== signature) {
      const old = cached?.driver;
      cached = { signature, driver: createS3Storage(s3) };
      // Let requests in flight on the old client finish before its sockets close.
      if (old) setTimeout(() => old.destroy(), 60_000).unref?.();
    }
    return cached.driver;
  };
  return {
    get kind() {
      return pick().kind;
    },
    put: (key, data, options) => pick().put(key, data, options),
    get: (key, range) => pick().get(key, range),
    stat: (key) => pick().stat(key),
    delete: (key) => pick().delete(key),
    deletePrefix: (prefix) => pick().deletePrefix(prefix),
    list: (prefix) => pick().list(prefix),
  };
}
