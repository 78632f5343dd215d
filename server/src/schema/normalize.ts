/**
 * Shape-checked file objects → collection models with every default filled in: ids derived from
 * names, implicit `id`/`created`/`updated` for hand-written collections, auth system fields and
 * options. Invalid values fall back to defaults so later checks still run (their problems are
 * already reported).
 */
import type { TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { crc32 } from '../lib/ids.ts';
import { prepareAuthCollection } from './auth-collection.ts';
import { resolveAuthOptions } from './auth-options.ts';
import { COLLECTION_DEFINITIONS, fieldCommonKeys } from './definition.ts';
import { getFieldType } from './fields/registry.ts';
import type { CollectionModel, CollectionType, FieldModel, RuleName } from './model.ts';
import { buildCreatedField, buildIdField, buildUpdatedField, deriveFieldId, enforceIdField } from './system-fields.ts';

type Path = Array<string | number>;

/** A model plus where its parts came from in the file, for problem paths. */
export interface SourcedCollection {
  model: CollectionModel;
  path: Path;
  /** no `id` field was listed: implicit fields were added */
  handWritten: boolean;
  /** declared field name → its path in the file */
  fieldPaths: Map<string, Path>;
  /** every declared field name, including fields whose type is unknown */
  declaredNames: string[];
}

const RULES: RuleName[] = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'];
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value if it fits the key's schema, else undefined. */
function validOf(schema: TObject, raw: Record<string, unknown>, key: string): unknown {
  const prop = schema.properties[key];
  return prop && raw[key] !== undefined && Value.Check(prop, raw[key]) ? raw[key] : undefined;
}

function normalizeField(raw: unknown): FieldModel | null {
  if (!isPlainObject(raw) || typeof raw['type'] !== 'string' || typeof raw['name'] !== 'string') return null;
  const type = getFieldType(raw['type']);
  if (!type) return null;
  const field: Record<string, unknown> = { id: '', name: raw['name'], type: type.name, system: false, hidden: false, presentable: false };
  const common = { properties: fieldCommonKeys } as unknown as TObject;
  for (const key of ['id', 'system', 'hidden', 'presentable', 'renamedFrom']) {
    const v = validOf(common, raw, key);
    if (v !== undefined) field[key] = v;
  }
  Object.assign(field, type.defaults);
  for (const key of Object.keys(type.options.properties)) {
    const v = validOf(type.options, raw, key);
    if (v === null && Array.isArray(type.defaults[key])) continue; // wire: Go's nil slice; keep the [] default
    if (v !== undefined) field[key] = structuredClone(v);
  }
  return field as FieldModel;
}

export function normalizeCollection(raw: unknown, path: Path): SourcedCollection | null {
  if (!isPlainObject(raw)) return null;
  // own keys only: "__proto__" or "toString" is no collection type
  const type = (typeof raw['type'] === 'string' && Object.hasOwn(COLLECTION_DEFINITIONS, raw['type']) ? raw['type'] : 'base') as CollectionType;
  const schema = COLLECTION_DEFINITIONS[type]!;
  const fieldPaths = new Map<string, Path>();
  const declaredNames: string[] = [];
  const fields: FieldModel[] = [];
  (Array.isArray(raw['fields']) ? raw['fields'] : []).forEach((f: unknown, i: number) => {
    if (isPlainObject(f) && typeof f['name'] === 'string') declaredNames.push(f['name']);
    const field = normalizeField(f);
    if (!field) return;
    if (!fieldPaths.has(field.name)) fieldPaths.set(field.name, [...path, 'fields', i]);
    fields.push(field);
  });

  const handWritten = type !== 'view' && !declaredNames.includes('id');
  if (type !== 'view') {
    if (handWritten) {
      fields.unshift(buildIdField());
      if (!declaredNames.includes('created')) fields.push(buildCreatedField());
      if (!declaredNames.includes('updated')) fields.push(buildUpdatedField());
    } else {
      const i = fields.findIndex((f) => f.name === 'id');
      if (i >= 0 && fields[i]!.type === 'text') fields[i] = enforceIdField(fields[i]!);
    }
  }

  const model: CollectionModel = {
    id: (validOf(schema, raw, 'id') as string | undefined) ?? '',
    name: typeof raw['name'] === 'string' ? raw['name'] : '',
    type,
    system: validOf(schema, raw, 'system') === true,
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields,
    indexes: ((validOf(schema, raw, 'indexes') as string[] | undefined) ?? []).slice(),
  };
  for (const rule of RULES) {
    const v = validOf(schema, raw, rule);
    if (v !== undefined) model[rule] = v as string | null;
  }
  if (type === 'view') model.viewQuery = (validOf(schema, raw, 'viewQuery') as string | undefined) ?? '';
  if (type === 'auth') {
    const clean: Record<string, unknown> = {};
    for (const key of Object.keys(schema.properties)) clean[key] = validOf(schema, raw, key);
    model.auth = resolveAuthOptions(clean);
  }
  const renamedFrom = validOf(schema, raw, 'renamedFrom');
  if (typeof renamedFrom === 'string') model.renamedFrom = renamedFrom;
  return { model, path, handWritten, fieldPaths, declaredNames };
}

/** wire: `pbc_` + crc32(type + name), then `2…999` appended while taken (core/collection_model.go). */
export function deriveCollectionId(type: string, name: string, taken: (id: string) => boolean): string {
  const base = `pbc_${crc32(type + name)}`;
  let id = base;
  for (let i = 2; i < 1000 && taken(id); i++) id = `${base}${i}`;
  return id;
}

/** Fill in collection ids, then field ids, then auth system fields and indexes (they name the id). */
export function assignIdentities(collections: SourcedCollection[]): void {
  const taken = new Set(collections.map((c) => c.model.id).filter((id) => id !== ''));
  for (const c of collections) {
    if (c.model.id !== '') continue;
    c.model.id = deriveCollectionId(c.model.type, c.model.name, (id) => taken.has(id));
    taken.add(c.model.id);
  }
  for (const c of collections) {
    const used = new Set(c.model.fields.map((f) => f.id).filter((id) => id !== ''));
    for (const f of c.model.fields) {
      if (f.id !== '') continue;
      const base = deriveFieldId(f.type, f.name);
      let id = base;
      for (let i = 2; i < 1000 && used.has(id); i++) id = `${base}${i}`;
      f.id = id;
      used.add(id);
    }
    if (c.model.type === 'auth') c.model = prepareAuthCollection(c.model, c.handWritten);
  }
}
