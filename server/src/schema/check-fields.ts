/** Checks of collections and their fields that need the whole schema: names, ids, options, auth fields. */
import { getFieldType } from './fields/registry.ts';
import type { OptionCheckContext } from './fields/field-type.ts';
import type { SourcedCollection } from './normalize.ts';
import type { ProblemSink } from './problems.ts';
import { AUTH_SYSTEM_FIELDS } from './system-fields.ts';

/** wire: names a field may not have (filter literals and keys every record JSON has). */
export const RESERVED_FIELD_NAMES = ['null', 'true', 'false', '_rowid_', 'collectionId', 'collectionName', 'expand'];
/** wire: auth bodies use these keys. */
export const RESERVED_AUTH_FIELD_NAMES = ['passwordConfirm', 'oldPassword'];
/** Galley's own tables, and SQLite's. */
const RESERVED_COLLECTION_PREFIXES = ['_galley_', 'sqlite_'];

export function createOptionContext(all: SourcedCollection[], owner: SourcedCollection): OptionCheckContext {
  const find = (idOrName: string) => {
    const lower = idOrName.toLowerCase();
    const hit = all.find((c) => c.model.id === idOrName) ?? all.find((c) => c.model.name.toLowerCase() === lower);
    return hit ? { id: hit.model.id, name: hit.model.name, type: hit.model.type } : undefined;
  };
  return { hasCollection: (x) => find(x) !== undefined, findCollection: find, owner: { name: owner.model.name, type: owner.model.type } };
}

export function checkCollectionNames(all: SourcedCollection[], sink: ProblemSink): void {
  const byName = new Map<string, SourcedCollection>();
  const byId = new Map<string, SourcedCollection>();
  for (const c of all) {
    const { name, id } = c.model;
    const lower = name.toLowerCase();
    const first = byName.get(lower);
    if (first && name !== '') sink.add([...c.path, 'name'], `duplicate collection name ${JSON.stringify(name)} (also ${first.path.join('/')}; names are case-insensitive)`);
    else byName.set(lower, c);
    const sameId = byId.get(id);
    if (sameId) sink.add([...c.path, 'id'], `duplicate collection id ${JSON.stringify(id)} (also ${sameId.path.join('/')})`);
    else byId.set(id, c);
    if (lower.includes('_via_')) sink.add([...c.path, 'name'], 'must not contain "_via_" (it names back-relations in filters)');
    const prefix = RESERVED_COLLECTION_PREFIXES.find((p) => lower.startsWith(p));
    if (prefix) sink.add([...c.path, 'name'], `names starting with ${JSON.stringify(prefix)} are reserved`);
  }
  for (const c of all) {
    const clash = all.find((o) => o !== c && o.model.id === c.model.name);
    if (clash) sink.add([...c.path, 'name'], `must not equal the id of collection ${JSON.stringify(clash.model.name)}`);
  }
}

export function checkFields(all: SourcedCollection[], c: SourcedCollection, sink: ProblemSink): void {
  const fieldsPath = [...c.path, 'fields'];
  const seen = new Map<string, string>();
  for (const name of c.declaredNames) {
    const lower = name.toLowerCase();
    const path = c.fieldPaths.get(name) ?? fieldsPath;
    if (seen.has(lower)) sink.add([...path, 'name'], `duplicate field name ${JSON.stringify(name)} (field names are case-insensitive)`);
    seen.set(lower, name);
    if (RESERVED_FIELD_NAMES.includes(name)) sink.add([...path, 'name'], `${JSON.stringify(name)} is a reserved name`, 'validation_not_in_invalid');
    if (c.model.type === 'auth' && RESERVED_AUTH_FIELD_NAMES.includes(name)) sink.add([...path, 'name'], `${JSON.stringify(name)} is reserved in auth collections`, 'validation_reserved_field_name');
    if (lower.includes('_via_')) sink.add([...path, 'name'], 'must not contain "_via_" (it names back-relations in filters)');
  }
  const ids = new Set<string>();
  const ctx = createOptionContext(all, c);
  for (const field of c.model.fields) {
    const path = c.fieldPaths.get(field.name) ?? fieldsPath;
    if (ids.has(field.id)) sink.add([...path, 'id'], `duplicate field id ${JSON.stringify(field.id)}`);
    ids.add(field.id);
    for (const p of getFieldType(field.type)?.checkOptions?.(field, ctx) ?? []) sink.add([...path, p.key], p.message);
  }
  if (c.model.type === 'view') return;
  const id = c.model.fields.find((f) => f.name === 'id');
  if (id && (id.type !== 'text' || id['primaryKey'] !== true)) {
    sink.add([...(c.fieldPaths.get('id') ?? fieldsPath), 'type'], 'the "id" field must be a text field (the primary key)');
  }
  if (c.model.type !== 'auth') return;
  for (const sys of AUTH_SYSTEM_FIELDS) {
    const f = c.model.fields.find((x) => x.name === sys.name);
    if (f && f.type !== sys.type) {
      sink.add([...(c.fieldPaths.get(sys.name) ?? fieldsPath), 'type'], `auth collections need "${sys.name}" to be a ${sys.type} field`);
    }
  }
}
