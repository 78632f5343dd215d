/**
 * A loaded collection → the JSON a person would write for it: every key the loader derives by itself is
 * left out (ids derived from names, the implicit id/created/updated and auth system fields, the auth
 * indexes, option defaults). Rules are always written: an absent rule would silently mean superusers-only.
 * write-schema-file.ts checks that the result loads back to the same model and else writes the full form.
 */
import { createDefaultAuthOptions } from './auth-options.ts';
import { toCollectionJson } from './collection-json.ts';
import { fieldTypeOf, getFieldType } from './fields/registry.ts';
import { buildDefaultEmailIndex } from './auth-collection.ts';
import { findSingleColumnUniqueIndex } from './index-sql.ts';
import { isSameJson } from '../lib/same-json.ts';
import type { CollectionModel, FieldModel, Schema } from './model.ts';
import { deriveCollectionId } from './normalize.ts';
import { AUTH_SYSTEM_FIELDS, buildCreatedField, buildIdField, buildUpdatedField, deriveFieldId } from './system-fields.ts';

const RULES = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;
const COMMON_DEFAULTS: Record<string, unknown> = { system: false, hidden: false, presentable: false };
const LEADING_FIELD_KEYS = ['id', 'name', 'type', 'renamedFrom'];

/** The collection's id is what the loader derives from its type and name. */
export function hasDerivedCollectionId(c: CollectionModel): boolean {
  return c.id === deriveCollectionId(c.type, c.name, () => false);
}

/** A field without its defaults: id (when derived), name, type, renamedFrom, then the other keys sorted. */
export function minimizeField(field: FieldModel, schema: Schema): Record<string, unknown> {
  const defaults: Record<string, unknown> = { ...COMMON_DEFAULTS, ...getFieldType(field.type)?.defaults };
  const out: Record<string, unknown> = {};
  if (field.id !== deriveFieldId(field.type, field.name)) out['id'] = field.id;
  out['name'] = field.name;
  out['type'] = field.type;
  if (field.renamedFrom !== undefined) out['renamedFrom'] = field.renamedFrom;
  for (const key of Object.keys(field).sort()) {
    if (LEADING_FIELD_KEYS.includes(key) || field[key] === undefined) continue;
    if (key in defaults && isSameJson(field[key], defaults[key])) continue;
    out[key] = structuredClone(field[key]);
  }
  // A relation names its target collection when the target's id is the derived one (readable, same meaning).
  const rel = fieldTypeOf(field).relation?.(field);
  const target = rel ? schema.findCollection(rel.collectionId) : undefined;
  if (rel && target && target.id === rel.collectionId && hasDerivedCollectionId(target)) out['collectionId'] = target.name;
  return out;
}

/** The fields to write. Hand-written form (no `id` field) when the implicit ones are exactly as the loader adds them. */
function listWrittenFields(c: CollectionModel): FieldModel[] {
  const fields = c.fields;
  if (c.type === 'view' || fields.length === 0 || !isSameJson(fields[0], buildIdField())) return fields;
  // without an `id` field the loader adds created/updated when they are not declared
  if (!fields.some((f) => f.name === 'created') || !fields.some((f) => f.name === 'updated')) return fields;
  let rest = fields.slice(1);
  if (isSameJson(rest.at(-1), buildUpdatedField())) rest = rest.slice(0, -1);
  if (isSameJson(rest.at(-1), buildCreatedField())) rest = rest.slice(0, -1);
  if (c.type === 'auth') {
    // missing auth system fields go right after `id`, in their canonical order
    let k = 0;
    let next = 0;
    while (k < rest.length) {
      const at = AUTH_SYSTEM_FIELDS.findIndex((s, j) => j >= next && s.name === rest[k]!.name);
      if (at < 0 || !isSameJson(rest[k], AUTH_SYSTEM_FIELDS[at]!.build())) break;
      next = at + 1;
      k++;
    }
    rest = rest.slice(k);
  }
  return rest;
}

/** Indexes without the auth ones the loader adds (`idx_tokenKey_<id>`, then `idx_email_<id>`, at the end). */
function listWrittenIndexes(c: CollectionModel): string[] {
  const indexes = [...c.indexes];
  if (c.type !== 'auth') return indexes;
  const tokenKey = `CREATE UNIQUE INDEX \`idx_tokenKey_${c.id}\` ON \`${c.name}\` (\`tokenKey\`)`;
  const email = buildDefaultEmailIndex(c);
  const dropLast = (text: string, column: string): boolean => {
    if (indexes.at(-1) !== text || findSingleColumnUniqueIndex(indexes.slice(0, -1), column)) return false;
    indexes.pop();
    return true;
  };
  if (dropLast(email, 'email')) dropLast(tokenKey, 'tokenKey');
  else dropLast(tokenKey, 'tokenKey');
  return indexes;
}

export function minimizeCollection(c: CollectionModel, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!hasDerivedCollectionId(c)) out['id'] = c.id;
  out['name'] = c.name;
  out['type'] = c.type;
  if (c.renamedFrom !== undefined) out['renamedFrom'] = c.renamedFrom;
  if (c.system) out['system'] = true;
  for (const rule of RULES) out[rule] = c[rule];
  if (c.auth) {
    out['authRule'] = c.auth.authRule;
    out['manageRule'] = c.auth.manageRule;
  }
  out['fields'] = listWrittenFields(c).map((f) => minimizeField(f, schema));
  const indexes = listWrittenIndexes(c);
  if (indexes.length > 0) out['indexes'] = indexes;
  if (c.type === 'view') out['viewQuery'] = c.viewQuery ?? '';
  if (c.auth) {
    const defaults = createDefaultAuthOptions() as unknown as Record<string, unknown>;
    const auth = c.auth as unknown as Record<string, unknown>;
    for (const key of Object.keys(defaults)) {
      if (key === 'authRule' || key === 'manageRule') continue;
      // an option that differs is written whole (templates need subject and body together)
      if (!isSameJson(auth[key], defaults[key])) out[key] = structuredClone(auth[key]);
    }
  }
  return out;
}

/** The full form (PocketBase's collection JSON) plus what that leaves out but a file keeps: rename hints, OAuth2 secrets. */
export function toFileCollectionJson(c: CollectionModel): Record<string, unknown> {
  const out = toCollectionJson(c);
  out['fields'] = c.fields.map((f, i) => {
    const json = (out['fields'] as Array<Record<string, unknown>>)[i]!;
    return f.renamedFrom === undefined ? json : { ...json, renamedFrom: f.renamedFrom };
  });
  if (c.renamedFrom !== undefined) out['renamedFrom'] = c.renamedFrom;
  if (c.auth) (out['oauth2'] as Record<string, unknown>)['providers'] = structuredClone(c.auth.oauth2.providers);
  return out;
}
