/**
 * PocketBase's system collections that hold auth state beside the auth records: one-time passwords
 * (`_otps`), pending MFA sessions (`_mfas`) and the login origins auth alerts compare against
 * (`_authOrigins`). Fields, rules and indexes as PocketBase's init migration creates them.
 */
import type { CollectionModel } from './model.ts';
import { buildCreatedField, buildField, buildIdField, buildUpdatedField } from './system-fields.ts';

export const OTPS_NAME = '_otps';
export const MFAS_NAME = '_mfas';
export const AUTH_ORIGINS_NAME = '_authOrigins';

/** wire: `pbc_` + crc32(type + name), as PocketBase derives a system collection's id. */
export const OTPS_ID = 'pbc_1638494021';
export const MFAS_ID = 'pbc_2279338944';
export const AUTH_ORIGINS_ID = 'pbc_4275539003';

/** wire: a record sees only its own rows. */
const OWNER_RULE = "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId";

const refField = (name: string) => buildField('text', name, { system: true, required: true });

function buildSystemBase(id: string, name: string, fields: CollectionModel['fields'], indexes: string[], deletable: boolean): CollectionModel {
  return {
    id,
    name,
    type: 'base',
    system: true,
    listRule: OWNER_RULE,
    viewRule: OWNER_RULE,
    createRule: null,
    updateRule: null,
    deleteRule: deletable ? OWNER_RULE : null,
    fields: [buildIdField(), ...fields, buildCreatedField(true), buildUpdatedField(true)],
    indexes,
  };
}

/** `_otps`: the code is stored hashed (hidden), `sentTo` is where it was mailed (hidden). */
export function createOtpsCollection(): CollectionModel {
  return buildSystemBase(
    OTPS_ID,
    OTPS_NAME,
    [
      refField('collectionRef'),
      refField('recordRef'),
      buildField('password', 'password', { system: true, hidden: true, required: true, cost: 8 }),
      buildField('text', 'sentTo', { system: true, hidden: true }),
    ],
    ['CREATE INDEX `idx_otps_collectionRef_recordRef` ON `_otps` (`collectionRef`, `recordRef`)'],
    false,
  );
}

/** `_mfas`: a first factor passed with `method`, waiting for a different second one. */
export function createMfasCollection(): CollectionModel {
  return buildSystemBase(
    MFAS_ID,
    MFAS_NAME,
    [refField('collectionRef'), refField('recordRef'), refField('method')],
    ['CREATE INDEX `idx_mfas_collectionRef_recordRef` ON `_mfas` (`collectionRef`, `recordRef`)'],
    false,
  );
}

/** `_authOrigins`: fingerprints (md5 of IP + user agent) a record logged in from; owners may delete theirs. */
export function createAuthOriginsCollection(): CollectionModel {
  return buildSystemBase(
    AUTH_ORIGINS_ID,
    AUTH_ORIGINS_NAME,
    [refField('collectionRef'), refField('recordRef'), refField('fingerprint')],
    ['CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` ON `_authOrigins` (`collectionRef`, `recordRef`, `fingerprint`)'],
    true,
  );
}
