/**
 * PocketBase's `_externalAuths` system collection: one row per (auth collection, provider, provider user id)
 * linked to an auth record. Owners may list, view and delete their own links; only the server creates them.
 */
import { crc32 } from '../lib/ids.ts';
import type { CollectionModel } from './model.ts';
import { buildField, buildIdField } from './system-fields.ts';

export const EXTERNAL_AUTHS_NAME = '_externalAuths';

/** wire: PocketBase's rule for a record's own links (migrations/1640988000_init.go). */
const OWNER_RULE = "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId";

export function createExternalAuthsCollection(): CollectionModel {
  const text = (name: string) => buildField('text', name, { system: true, required: true });
  return {
    // wire: `pbc_` + crc32(type + name), PocketBase's id for it
    id: `pbc_${crc32('base' + EXTERNAL_AUTHS_NAME)}`,
    name: EXTERNAL_AUTHS_NAME,
    type: 'base',
    system: true,
    listRule: OWNER_RULE,
    viewRule: OWNER_RULE,
    createRule: null,
    updateRule: null,
    deleteRule: OWNER_RULE,
    fields: [
      buildIdField(),
      text('collectionRef'),
      text('recordRef'),
      text('provider'),
      text('providerId'),
      buildField('autodate', 'created', { system: true, onCreate: true, onUpdate: false }),
      buildField('autodate', 'updated', { system: true, onCreate: true, onUpdate: true }),
    ],
    // wire: PocketBase's two unique indexes: one link per provider per record, one record per provider identity.
    indexes: [
      'CREATE UNIQUE INDEX `idx_externalAuths_record_provider` ON `_externalAuths` (collectionRef, recordRef, provider)',
      'CREATE UNIQUE INDEX `idx_externalAuths_collection_provider` ON `_externalAuths` (collectionRef, provider, providerId)',
    ],
  };
}
