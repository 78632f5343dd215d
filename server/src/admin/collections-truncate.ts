/**
 * `DELETE /api/collections/{c}/truncate` and `GET /api/collections/meta/scaffolds` (superusers).
 * Truncating removes records, not schema, so it needs no write mode. Each record goes through the
 * record service's delete (cascades, file removal, events), all inside ONE write job: every inner delete is
 * a savepoint of the same transaction, so a failure part-way deletes nothing, and events and file removals
 * wait for the one commit (PocketBase's TruncateCollection runs in one transaction too).
 */
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { randomString } from '../lib/ids.ts';
import { deleteRecord } from '../records/delete.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { prepareAuthCollection } from '../schema/auth-collection.ts';
import { createDefaultAuthOptions } from '../schema/auth-options.ts';
import { toCollectionJson } from '../schema/collection-json.ts';
import type { CollectionModel } from '../schema/model.ts';
import { buildIdField } from '../schema/system-fields.ts';
import { requireCollectionModel, requireSuperuser } from './collections.ts';

const CHUNK = 200;

export async function truncateCollection(core: Core, info: RequestInfo, idOrName: string): Promise<void> {
  requireSuperuser(info);
  const collection = requireCollectionModel(core, idOrName);
  if (collection.type === 'view') {
    throw new GalleyError('invalid', "View collections cannot be truncated since they don't store their own records.");
  }
  try {
    await core.db.writer.run(async (tx) => {
      for (;;) {
        const rows = await tx.db.selectFrom(collection.name).select('id').limit(CHUNK).execute();
        if (rows.length === 0) return;
        // one at a time: inner jobs of one job are serial anyway, and the first failure ends the job
        for (const r of rows) await deleteStillPresent(core, info, collection, String(r['id']));
      }
    });
  } catch (err) {
    // wire: PocketBase answers any failed truncate with this one 400
    throw new GalleyError('invalid', 'Failed to truncate collection (most likely due to required cascade delete record references).', { cause: err });
  }
}

/** A record an earlier delete's cascade already removed is skipped, as PocketBase skips sql.ErrNoRows. */
async function deleteStillPresent(core: Core, info: RequestInfo, collection: CollectionModel, id: string): Promise<void> {
  try {
    await deleteRecord(core, info, collection.id, id);
  } catch (err) {
    if (!(err instanceof GalleyError && err.kind === 'not_found')) throw err;
  }
}

/** wire: PocketBase's new-collection templates per type, id and name empty (apis/collection.go collectionScaffolds). */
export function listCollectionScaffolds(info: RequestInfo): Record<string, Record<string, unknown>> {
  requireSuperuser(info);
  const rules = { listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null };
  const base = (type: CollectionModel['type'], fields: CollectionModel['fields']): CollectionModel => ({
    id: '', name: '', type, system: false, ...rules, fields, indexes: [],
  });
  // the auth indexes are named after a random id, as PocketBase's are
  const auth = prepareAuthCollection({ ...base('auth', [buildIdField()]), id: randomString(10), auth: createDefaultAuthOptions() }, false);
  return {
    auth: toCollectionJson({ ...auth, id: '' }),
    base: toCollectionJson(base('base', [buildIdField()])),
    view: toCollectionJson({ ...base('view', []), viewQuery: '' }),
  };
}
