import type { Kysely } from 'kysely';
import type { FilterDialect } from '../query/dialect.ts';
import { compileRuleWhere } from '../rules/compile-rule.ts';
import { isSuperuser, SUPERUSERS, type RequestInfo } from '../rules/request-info.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { FieldType } from '../schema/fields/field-type.ts';
import type { CollectionModel, FieldModel, Schema } from '../schema/model.ts';
import { mayHoldManageAccess, scopeOf } from './access.ts';

/** Who is looking decides what of a record goes on the wire. */
export interface Viewer {
  superuser: boolean;
  /** id of the authenticated record, if any (an auth record always sees its own email) */
  authId: string | null;
  /** the authenticated record's collection: "its own record" is that id in that collection only */
  authCollectionId: string | null;
  /** force the email on (auth responses) */
  showEmail?: boolean;
  /** records the viewer manages (manageRule): their email is shown */
  managedIds?: ReadonlySet<string>;
}

/** wire: auth collections never send these, whoever asks. */
const NEVER_SENT_ON_AUTH = new Set(['password', 'tokenKey']);

/** A field as the serialiser walks it: its type looked up once. */
interface WireField {
  field: FieldModel;
  name: string;
  type: FieldType;
}

/** Per collection model (a loaded schema never changes one in place), the fields that may go on the wire, in order. */
const wireFieldsOf = new WeakMap<CollectionModel, { fields: readonly FieldModel[]; list: readonly WireField[] }>();

function wireFields(collection: CollectionModel): readonly WireField[] {
  const known = wireFieldsOf.get(collection);
  if (known && known.fields === collection.fields) return known.list;
  const isAuth = collection.type === 'auth';
  const list = collection.fields
    .filter((field) => !(isAuth && NEVER_SENT_ON_AUTH.has(field.name)))
    .map((field) => ({ field, name: field.name, type: fieldTypeOf(field) }));
  wireFieldsOf.set(collection, { fields: collection.fields, list });
  return list;
}

/** A stored row → the record JSON PocketBase sends (hidden fields and email visibility obeyed). */
export function serializeRecord(
  collection: CollectionModel,
  row: Record<string, unknown>,
  viewer: Viewer,
): Record<string, unknown> {
  const out: Record<string, unknown> = { collectionId: collection.id, collectionName: collection.name };
  const isAuth = collection.type === 'auth';
  for (const { field, name, type } of wireFields(collection)) {
    if (field.hidden && !viewer.superuser) continue;
    // wire: a password field outside auth collections is sent as "" (its hash never is).
    if (type.neverOnWire) {
      out[name] = '';
      continue;
    }
    out[name] = name in row ? type.fromStorage(row[name], field) : type.zero(field);
  }
  // wire: PocketBase keeps every superuser verified (core: _superusers records are saved with verified=true)
  if (collection.name === SUPERUSERS && 'verified' in out) out['verified'] = true;
  if (isAuth && 'email' in out) {
    const visible =
      viewer.superuser || viewer.showEmail || row['emailVisibility'] === 1 || row['emailVisibility'] === true ||
      isViewerRecord(viewer, collection, row) || viewer.managedIds?.has(String(row['id'])) === true;
    if (!visible) delete out['email'];
  }
  return out;
}

/** The viewer's own record: the same id in the same auth collection (an id alone may name a record elsewhere). */
function isViewerRecord(viewer: Viewer, collection: CollectionModel, row: Record<string, unknown>): boolean {
  return viewer.authId !== null && viewer.authCollectionId === collection.id && viewer.authId === row['id'];
}

export function viewerOf(info: { auth: { collection: CollectionModel; record: Record<string, unknown> } | null }, superuser: boolean): Viewer {
  return info.auth
    ? { superuser, authId: String(info.auth.record['id']), authCollectionId: info.auth.collection.id }
    : { superuser, authId: null, authCollectionId: null };
}

/**
 * wire: the ids among `rows` the caller manages (passes the collection's manageRule for), whose email is
 * then shown. One query, and only for rows whose email would otherwise be hidden.
 */
export async function findManagedIds(
  db: Kysely<any>,
  schema: Schema,
  collection: CollectionModel,
  info: RequestInfo,
  rows: Record<string, unknown>[],
  dialect: FilterDialect,
): Promise<ReadonlySet<string>> {
  if (isSuperuser(info) || !mayHoldManageAccess(collection, info)) return new Set();
  const selfId = info.auth?.collection.id === collection.id ? info.auth.record['id'] : undefined;
  const hidden = rows.filter((r) => r['emailVisibility'] !== 1 && r['emailVisibility'] !== true && r['id'] !== selfId).map((r) => r['id']);
  if (hidden.length === 0) return new Set();
  const scope = scopeOf(schema, collection, info, dialect);
  const rule = compileRuleWhere(scope, collection.auth!.manageRule);
  if (rule === 'deny') return new Set();
  if (rule === 'allow') return new Set(hidden.map(String));
  const table = scope.alias;
  const found = await db
    .selectFrom(`${collection.name} as ${table}`)
    .select(`${table}.id`)
    .where(`${table}.id`, 'in', hidden)
    .where(rule)
    .execute();
  return new Set(found.map((r) => String(r['id'])));
}
