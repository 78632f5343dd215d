/**
 * A record's files and its row stay in step (docs/ARCHITECTURE.md, "Durability"): new uploads are stored durably BEFORE the
 * row commits and removed if it does not; files the row lets go (replaced, removed, record deleted) are
 * removed only AFTER the commit. A crash between the two leaves orphans, never a row naming a missing file;
 * the orphan sweep (files/orphan-sweep.ts) removes them, skipping uploads still in flight (isUploadInFlight).
 */
import type { Core } from '../core.ts';
import type { WriteTx } from '../db/database.ts';
import { GalleyError, issue } from '../errors.ts';
import type { FileStorage } from '../lib/storage/file-storage.ts';
import { isPendingUpload, listFileFields, listFiles, type UploadedFile } from '../schema/fields/file.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel } from '../schema/model.ts';

/**
 * Keys stored but not yet committed or rolled back, per storage (a count: one key, one upload). Keyed by the
 * storage object createGalley makes for each app (never shared), so this is that app's; close() settles removals.
 */
const inFlight = new WeakMap<FileStorage, Map<string, number>>();

function markInFlight(storage: FileStorage, key: string, delta: 1 | -1): void {
  let keys = inFlight.get(storage);
  if (!keys) inFlight.set(storage, (keys = new Map()));
  const n = (keys.get(key) ?? 0) + delta;
  if (n > 0) keys.set(key, n);
  else keys.delete(key);
}

/** Whether an upload of this key is stored and waiting for its row's commit or rollback. */
export function isUploadInFlight(storage: FileStorage, key: string): boolean {
  return (inFlight.get(storage)?.get(key) ?? 0) > 0;
}

export const recordFolder = (collection: CollectionModel, recordId: string) => `${collection.id}/${recordId}/`;

export interface StoredUploads {
  /** Ties the uploads to the write job: removed if it rolls back, settled once it commits. Call first in the job. */
  bind(tx: WriteTx): void;
  /** Removes the stored uploads (the write failed); a second call does nothing. */
  discard(): void;
}

/** Every upload among the values of the collection's file fields. */
function collectUploads(collection: CollectionModel, values: Record<string, unknown>): UploadedFile[] {
  return listFileFields(collection).flatMap((f) => listFiles(values[f.name]).filter(isPendingUpload));
}

/** Removals started after a commit or rollback and not yet done, per storage. */
const removing = new WeakMap<FileStorage, Set<Promise<void>>>();

/** Resolves when every file removal started so far has finished (tests; a graceful close). */
export async function settleFileRemovals(storage: FileStorage): Promise<void> {
  for (let set = removing.get(storage); set && set.size > 0; set = removing.get(storage)) await Promise.all([...set]);
}

/** Removes stored objects and their thumbnails; failures are logged (the sweep retries them on the next start). */
function removeStoredFiles(core: Pick<Core, 'storage' | 'log'>, folder: string, names: readonly string[]): Promise<void> {
  const storage = core.storage;
  let set = removing.get(storage);
  if (!set) removing.set(storage, (set = new Set()));
  const done = removeEach(core, folder, names).finally(() => set.delete(done));
  set.add(done);
  return done;
}

async function removeEach(core: Pick<Core, 'storage' | 'log'>, folder: string, names: readonly string[]): Promise<void> {
  await Promise.all(
    names.map(async (name) => {
      try {
        await core.storage.delete(folder + name);
        await core.storage.deletePrefix(`${folder}thumbs_${name}/`);
      } catch (err) {
        core.log.warn('a record file could not be removed; the orphan sweep will retry', { key: folder + name, error: String(err) });
      }
    }),
  );
}

/**
 * Stores each upload of `values` under the record's folder (temp name, fsync, rename: durable when this
 * resolves). If one put fails, the others are removed and the write is refused.
 */
export async function storeUploads(core: Core, collection: CollectionModel, recordId: string, values: Record<string, unknown>): Promise<StoredUploads> {
  const uploads = collectUploads(collection, values);
  const folder = recordFolder(collection, recordId);
  const storage = core.storage;
  const keys = uploads.map((u) => folder + u.name);
  let settled = uploads.length === 0;
  const settle = () => {
    if (settled) return false;
    settled = true;
    return true;
  };
  const discard = () => {
    if (!settle()) return;
    void removeStoredFiles(core, folder, uploads.map((u) => u.name)).finally(() => keys.forEach((k) => markInFlight(storage, k, -1)));
  };
  if (uploads.length === 0) return { bind() {}, discard() {} };
  keys.forEach((k) => markInFlight(storage, k, 1));
  const results = await Promise.allSettled(uploads.map((u, i) => storage.put(keys[i]!, u.data, { contentType: u.type })));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    discard();
    if (failed.reason instanceof GalleyError && failed.reason.kind === 'invalid') throw failed.reason;
    throw new GalleyError('unavailable', 'Failed to store the uploaded files; try again.', { cause: failed.reason, retryAfter: 1 });
  }
  return {
    bind(tx) {
      tx.afterRollback(discard);
      tx.afterCommit(() => {
        if (settle()) keys.forEach((k) => markInFlight(storage, k, -1));
      });
    },
    discard,
  };
}

/** The stored file names of each file field of a row. */
function readRowFiles(collection: CollectionModel, row: Record<string, unknown>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const field of listFileFields(collection)) {
    const names = listFiles(fieldTypeOf(field).fromStorage(row[field.name], field)).filter((n): n is string => typeof n === 'string');
    out.set(field.name, names);
  }
  return out;
}

/**
 * Inside an update's job, before its UPDATE: re-reads the row's file names (another write may have changed them
 * since validation) and refuses names the row no longer holds, so no row can name a file that was removed.
 * Returns the names the update lets go; they are removed after the commit.
 */
export async function planFileRemovals(
  tx: WriteTx,
  collection: CollectionModel,
  recordId: string,
  values: Record<string, unknown>,
  touched: ReadonlySet<string>,
  failMessage: string,
): Promise<string[]> {
  const fields = listFileFields(collection).filter((f) => touched.has(f.name));
  if (fields.length === 0) return [];
  const table = collection.name;
  const row = (await tx.db.selectFrom(table).select(fields.map((f) => `${table}.${f.name}`)).where(`${table}.id`, '=', recordId).executeTakeFirst()) as
    | Record<string, unknown>
    | undefined;
  if (!row) return [];
  const before = readRowFiles({ ...collection, fields }, row);
  const removed: string[] = [];
  for (const field of fields) {
    const old = before.get(field.name) ?? [];
    const kept = listFiles(values[field.name]).filter((n): n is string => typeof n === 'string');
    const unknown = kept.filter((n) => !old.includes(n));
    if (unknown.length > 0) {
      const invalidFiles = unknown.map((n) => n.slice(0, 250));
      throw new GalleyError('invalid', failMessage, {
        issues: { [field.name]: issue('validation_invalid_file', `Invalid new files: ${invalidFiles.join(', ')}.`, { invalidFiles }) },
      });
    }
    removed.push(...old.filter((n) => !kept.includes(n)));
  }
  return removed;
}

/** After the commit: remove the files an update let go. */
export function removeFilesAfterCommit(core: Core, tx: WriteTx, collection: CollectionModel, recordId: string, names: readonly string[]): void {
  if (names.length === 0) return;
  tx.afterCommit(() => void removeStoredFiles(core, recordFolder(collection, recordId), names));
}

/**
 * After the commit of a delete: remove the deleted row's files and their thumbnails. By name, not the whole
 * folder: a record created again under the same id meanwhile keeps its new files (leftovers go to the sweep).
 */
export function removeRecordFilesAfterCommit(core: Pick<Core, 'storage' | 'log'>, tx: WriteTx, collection: CollectionModel, row: Record<string, unknown>): void {
  if (listFileFields(collection).length === 0) return;
  const names = [...readRowFiles(collection, row).values()].flat();
  if (names.length === 0) return;
  const folder = recordFolder(collection, String(row['id']));
  tx.afterCommit(() => void removeStoredFiles(core, folder, names));
}
