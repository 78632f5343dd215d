/**
 * `DELETE /api/collections/{c}/truncate` and `GET /api/collections/meta/scaffolds` (superusers).
 * Truncating removes records, not schema, so it needs no write mode. Each record goes through the
 * record service's delete (cascades, file removal, events); a chunk's deletes share one group commit.
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
  for (;;) {
    const rows = await core.db.read.selectFrom(collection.name).select('id').limit(CHUNK).execute();
    if (rows.length === 0) return;
    try {
      await Promise.all(rows.map((r) => deleteRecord(core, info, collection.id, String(r['id']))));
    } catch (err) {
      if (err instanceof GalleyError && err.kind === 'not_found') continue; // removed meanwhile (a cascade)
      throw new GalleyError('invalid', 'Failed to truncate collection (most likely due to required cascade delete record references).', { cause: err });
    }
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
