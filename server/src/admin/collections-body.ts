/**
 * A collections API body → the schema file entry it stands for, with PocketBase's semantics: create starts
 * from the type's scaffold (an `id` field first, auth system fields added at the end); update and import
 * unmarshal the body over the current collection (nested objects merged, arrays such as `fields` replaced).
 * wire: unknown top-level keys are ignored, as Go's JSON decoding ignores them.
 */
import { toFieldJson } from '../schema/collection-json.ts';
import { COLLECTION_DEFINITIONS } from '../schema/definition.ts';
import { retargetIndex } from '../schema/index-sql.ts';
import { toFileCollectionJson } from '../schema/minimize-collection.ts';
import type { CollectionModel, FieldModel } from '../schema/model.ts';
import { buildIdField } from '../schema/system-fields.ts';

type Json = Record<string, unknown>;

export const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The keys a collection of the body's type has (besides output-only created/updated); a bad type keeps the base keys. */
function pickCollectionKeys(body: Json, fallbackType: string): Json {
  const type = typeof body['type'] === 'string' ? body['type'] : fallbackType;
  // own keys only: a type such as "__proto__" or "toString" is unknown, not Object.prototype's member
  const known = Object.keys((Object.hasOwn(COLLECTION_DEFINITIONS, type) ? COLLECTION_DEFINITIONS[type]! : COLLECTION_DEFINITIONS['base']!).properties);
  const out: Json = {};
  for (const [key, value] of Object.entries(body)) {
    if ((known.includes(key) || key === 'type') && key !== 'created' && key !== 'updated') out[key] = value;
  }
  return out;
}

/** wire: PocketBase puts the `id` field first when a fields list leaves it out (initIdField). */
function withIdField(fields: unknown): unknown {
  if (!Array.isArray(fields) || fields.some((f) => isPlainObject(f) && f['name'] === 'id')) return fields;
  return [toFieldJson(buildIdField()), ...fields];
}

/** Objects merged key by key; anything else (arrays, scalars, null) replaced. */
function mergeJson(base: Json, given: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(given)) {
    out[key] = isPlainObject(value) && isPlainObject(base[key]) ? mergeJson(base[key] as Json, value) : value;
  }
  return out;
}

/** Providers sent back without their clientSecret (the API never shows it) keep the stored one. */
function keepProviderSecrets(merged: Json, current: CollectionModel): void {
  const oauth2 = merged['oauth2'];
  if (!current.auth || !isPlainObject(oauth2) || !Array.isArray(oauth2['providers'])) return;
  oauth2['providers'] = oauth2['providers'].map((p: unknown) => {
    if (!isPlainObject(p) || p['clientSecret'] !== undefined) return p;
    const stored = current.auth!.oauth2.providers.find((s) => s['name'] === p['name']);
    return stored?.['clientSecret'] !== undefined ? { ...p, clientSecret: stored['clientSecret'] } : p;
  });
}

/** wire: an index naming another table is saved ON the collection's table, as PocketBase does. */
export function retargetIndexes(entry: Json): Json {
  const indexes = entry['indexes'];
  if (typeof entry['name'] !== 'string' || entry['name'] === '' || !Array.isArray(indexes)) return entry;
  entry['indexes'] = indexes.map((sql: unknown) => (typeof sql === 'string' ? retargetIndex(sql, entry['name'] as string) : sql));
  return entry;
}

export function buildCreateEntry(body: Json): Json {
  const entry = pickCollectionKeys(body, 'base');
  entry['type'] ??= 'base';
  // wire: a view's fields come from its query; PocketBase ignores the fields a create sends
  if (entry['type'] === 'view') delete entry['fields'];
  else entry['fields'] = withIdField(entry['fields'] ?? []);
  return retargetIndexes(entry);
}

/** wire: a view whose query changes gets its fields from the new query (PocketBase ignores the fields sent). */
function dropStaleViewFields(merged: Json, current: CollectionModel, given: Json): void {
  if (current.type === 'view' && given['viewQuery'] !== undefined && given['viewQuery'] !== current.viewQuery) delete merged['fields'];
}

/** The body over the current collection. Its id never changes here (the URL names the collection). */
export function mergeUpdateEntry(current: CollectionModel, body: Json): Json {
  const given = pickCollectionKeys(body, current.type);
  delete given['id'];
  const merged = mergeJson(toFileCollectionJson(current), given);
  if (given['fields'] !== undefined && current.type !== 'view') merged['fields'] = withIdField(merged['fields']);
  dropStaleViewFields(merged, current, given);
  keepProviderSecrets(merged, current);
  return retargetIndexes(merged);
}

const fieldFileJson = (f: FieldModel): Json => (f.renamedFrom === undefined ? toFieldJson(f) : { ...toFieldJson(f), renamedFrom: f.renamedFrom });

/**
 * wire: PocketBase's import over an existing collection (core/collection_import.go): the data over the
 * collection; fields it leaves out are kept, unless `deleteMissing` (then only system fields are); a field
 * sent without the id but with the name and type of an existing one keeps that field's id.
 */
export function mergeImportEntry(current: CollectionModel, item: Json, deleteMissing: boolean): Json {
  const given = pickCollectionKeys(item, current.type);
  if (given['fields'] === undefined && deleteMissing) given['fields'] = [];
  const merged = retargetIndexes(mergeJson(toFileCollectionJson(current), given));
  keepProviderSecrets(merged, current);
  if (current.type === 'view') {
    dropStaleViewFields(merged, current, given);
    return merged;
  }
  if (!Array.isArray(given['fields'])) return merged;
  const fields = (merged['fields'] as unknown[]).map((f) => (isPlainObject(f) ? { ...f } : f));
  for (const f of current.fields) {
    if (!f.system && deleteMissing) continue;
    if (fields.some((g) => isPlainObject(g) && g['id'] === f.id)) continue;
    const same = fields.find((g): g is Json => isPlainObject(g) && g['name'] === f.name && g['type'] === f.type);
    if (same) same['id'] = f.id;
    else fields.push(fieldFileJson(f));
  }
  merged['fields'] = fields;
  return merged;
}
