/**
 * Collections every Galley schema has. `_superusers` is always there; a file may carry PocketBase's
 * own system copy (exports include it), which is merged, but may not define one of its own.
 */
import { prepareAuthCollection } from './auth-collection.ts';
import { createDefaultAuthOptions } from './auth-options.ts';
import type { CollectionModel } from './model.ts';
import { createAuthOriginsCollection, createMfasCollection, createOtpsCollection } from './system-auth-records.ts';
import { createExternalAuthsCollection } from './system-external-auths.ts';
import { buildCreatedField, buildIdField, buildUpdatedField } from './system-fields.ts';

export const SUPERUSERS_NAME = '_superusers';
/** wire: `pbc_` + crc32("auth_superusers"); the SDK recognises superuser tokens by it. */
export const SUPERUSERS_ID = 'pbc_3142635823';

/** What `_superusers` always is, whatever a file says: its identity, and every rule superusers-only. */
const SUPERUSERS_FIXED = {
  id: SUPERUSERS_ID,
  name: SUPERUSERS_NAME,
  system: true,
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
} as const satisfies Partial<CollectionModel>;

export function createSuperusersCollection(): CollectionModel {
  const auth = createDefaultAuthOptions();
  auth.authToken.duration = 86400; // wire: superuser tokens last one day
  return prepareAuthCollection({
    ...SUPERUSERS_FIXED,
    type: 'auth',
    fields: [buildIdField(), buildCreatedField(true), buildUpdatedField(true)],
    indexes: [],
    auth,
  });
}

/** A file's `_superusers` (from an export) keeps its extra fields and options but not its identity or rules. */
export function adoptSuperusersCollection(fromFile: CollectionModel): CollectionModel {
  return { ...fromFile, ...SUPERUSERS_FIXED };
}

/** The built-in system collections, by lower-cased name. */
export function listBuiltinCollections(): CollectionModel[] {
  return [createSuperusersCollection(), createExternalAuthsCollection(), createMfasCollection(), createOtpsCollection(), createAuthOriginsCollection()];
}
