import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel } from '../schema/model.ts';

/** Who is looking decides what of a record goes on the wire. */
export interface Viewer {
  superuser: boolean;
  /** id of the authenticated record, if any (an auth record always sees its own email) */
  authId: string | null;
  /** force the email on (auth responses; manage-rule holders) */
  showEmail?: boolean;
}

/** wire: auth collections never send these, whoever asks. */
const NEVER_SENT_ON_AUTH = new Set(['password', 'tokenKey']);

/** A stored row → the record JSON PocketBase sends (hidden fields and email visibility obeyed). */
export function serializeRecord(
  collection: CollectionModel,
  row: Record<string, unknown>,
  viewer: Viewer,
): Record<string, unknown> {
  const out: Record<string, unknown> = { collectionId: collection.id, collectionName: collection.name };
  const isAuth = collection.type === 'auth';
  for (const field of collection.fields) {
    if (isAuth && NEVER_SENT_ON_AUTH.has(field.name)) continue;
    if (field.hidden && !viewer.superuser) continue;
    const type = fieldTypeOf(field);
    // wire: a password field outside auth collections is sent as "" (its hash never is).
    if (type.neverOnWire) {
      out[field.name] = '';
      continue;
    }
    out[field.name] = field.name in row ? type.fromStorage(row[field.name], field) : type.zero(field);
  }
  if (isAuth && 'email' in out) {
    const visible =
      viewer.superuser || viewer.showEmail || row['emailVisibility'] === 1 || row['emailVisibility'] === true ||
      (viewer.authId !== null && viewer.authId === row['id']);
    if (!visible) delete out['email'];
  }
  return out;
}

export function viewerOf(info: { auth: { collection: CollectionModel; record: Record<string, unknown> } | null }, superuser: boolean): Viewer {
  return { superuser, authId: info.auth ? String(info.auth.record['id']) : null };
}
