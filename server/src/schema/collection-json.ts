/**
 * A collection as PocketBase's API returns it (`GET /api/collections/{id}`): auth options flattened
 * onto the object, secrets never included, field keys sorted (Go marshals fields through a map).
 * `created`/`updated` are left out: the schema file has no such timestamps.
 */
import type { AuthOptions, CollectionModel, FieldModel } from './model.ts';

const PROVIDER_KEYS: Array<[string, unknown]> = [
  ['pkce', null],
  ['name', ''],
  ['clientId', ''],
  ['authURL', ''],
  ['tokenURL', ''],
  ['userInfoURL', ''],
  ['displayName', ''],
  ['extra', null],
];

/** wire: field JSON keys in alphabetical order; Galley-only keys (renamedFrom) left out. */
export function toFieldJson(field: FieldModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(field).sort()) {
    if (key === 'renamedFrom') continue;
    out[key] = structuredClone(field[key]);
  }
  return out;
}

function toAuthJson(auth: AuthOptions): Record<string, unknown> {
  return {
    authRule: auth.authRule,
    manageRule: auth.manageRule,
    authAlert: structuredClone(auth.authAlert),
    oauth2: {
      // wire: providers always an array; clientSecret write-only
      providers: auth.oauth2.providers.map((p) => Object.fromEntries(PROVIDER_KEYS.map(([k, d]) => [k, structuredClone(p[k] ?? d)]))),
      mappedFields: { ...auth.oauth2.mappedFields },
      enabled: auth.oauth2.enabled,
    },
    passwordAuth: { enabled: auth.passwordAuth.enabled, identityFields: [...auth.passwordAuth.identityFields] },
    mfa: { ...auth.mfa },
    otp: structuredClone(auth.otp),
    authToken: { duration: auth.authToken.duration },
    passwordResetToken: { duration: auth.passwordResetToken.duration },
    emailChangeToken: { duration: auth.emailChangeToken.duration },
    verificationToken: { duration: auth.verificationToken.duration },
    fileToken: { duration: auth.fileToken.duration },
    verificationTemplate: { ...auth.verificationTemplate },
    resetPasswordTemplate: { ...auth.resetPasswordTemplate },
    confirmEmailChangeTemplate: { ...auth.confirmEmailChangeTemplate },
  };
}

/** wire: PocketBase's key order (id, rules, name, type, fields, indexes, system, then type options). */
export function toCollectionJson(c: CollectionModel): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: c.id,
    listRule: c.listRule,
    viewRule: c.viewRule,
    createRule: c.createRule,
    updateRule: c.updateRule,
    deleteRule: c.deleteRule,
    name: c.name,
    type: c.type,
    fields: c.fields.map(toFieldJson),
    indexes: [...c.indexes],
    system: c.system,
  };
  if (c.type === 'auth' && c.auth) Object.assign(out, toAuthJson(c.auth));
  if (c.type === 'view') out['viewQuery'] = c.viewQuery ?? '';
  return out;
}
