import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { ModifierOp } from '../schema/fields/field-type.ts';
import type { CollectionModel, FieldModel } from '../schema/model.ts';

/** Keys a body may carry that are not fields (auth forms); never stored. */
export const AUTH_FORM_KEYS = new Set(['passwordConfirm', 'oldPassword']);

export interface AppliedBody {
  /** field name → prepared value, for every field of the collection */
  values: Record<string, unknown>;
  /** fields the body set (directly or through a modifier) */
  touched: Set<string>;
  /** what rules see as `@request.body` (resolved values of submitted fields, plus other submitted keys) */
  ruleBody: Record<string, unknown>;
}

interface KeyOp {
  field: FieldModel;
  op: ModifierOp | 'set';
  raw: unknown;
  key: string;
}

function parseKey(collection: CollectionModel, key: string, fieldOf: (name: string) => FieldModel | undefined): KeyOp | null {
  const direct = fieldOf(key);
  if (direct) return { field: direct, op: 'set', raw: undefined, key };
  let name: string | undefined;
  let op: ModifierOp | undefined;
  if (key.startsWith('+')) [name, op] = [key.slice(1), 'prepend'];
  else if (key.endsWith('+')) [name, op] = [key.slice(0, -1), 'append'];
  else if (key.endsWith('-')) [name, op] = [key.slice(0, -1), 'remove'];
  const field = name ? fieldOf(name) : undefined;
  if (!field || !op) return null;
  const type = fieldTypeOf(field);
  if (!type.modify) return null;
  // wire: on numbers `field+`/`field-` add and subtract; `+field` means nothing.
  if (type.filterKind(field) === 'number') {
    if (op === 'prepend') return null;
    op = op === 'append' ? 'add' : 'subtract';
  }
  return { field, op, raw: undefined, key };
}

/**
 * Apply a request body over current values: plain keys first, then modifiers in order of key length
 * (wire: PocketBase resolves them that way). Unknown keys are ignored; hidden fields are skipped for
 * non-superusers (except auth `password`), server-managed fields (autodate) always.
 */
export function applyBody(
  collection: CollectionModel,
  current: Record<string, unknown>,
  input: Record<string, unknown>,
  opts: { superuser: boolean; isNew: boolean },
): AppliedBody {
  const byName = new Map(collection.fields.map((f) => [f.name, f]));
  const values = { ...current };
  const touched = new Set<string>();
  const ruleBody: Record<string, unknown> = {};
  const ops: KeyOp[] = [];
  for (const [key, raw] of Object.entries(input)) {
    const parsed = parseKey(collection, key, (n) => byName.get(n));
    if (!parsed) {
      if (!AUTH_FORM_KEYS.has(key)) ruleBody[key] = raw;
      continue;
    }
    const { field } = parsed;
    const type = fieldTypeOf(field);
    if (type.serverManaged) continue;
    if (field.hidden && !opts.superuser && !(collection.type === 'auth' && field.name === 'password')) continue;
    if (field.name === 'id' && !opts.isNew) continue;
    ops.push({ ...parsed, raw });
  }
  ops.sort((a, b) => (a.op === 'set' ? 0 : 1) - (b.op === 'set' ? 0 : 1) || a.key.length - b.key.length);
  for (const { field, op, raw } of ops) {
    const type = fieldTypeOf(field);
    values[field.name] = op === 'set' ? type.prepare(raw, field) : type.modify!(values[field.name], op, raw, field);
    touched.add(field.name);
  }
  for (const name of touched) {
    const field = byName.get(name)!;
    if (field.hidden && !opts.superuser) continue;
    ruleBody[name] = values[name];
  }
  return { values, touched, ruleBody };
}

/** Stored row → prepared values (the starting point of an update). */
export function valuesFromRow(collection: CollectionModel, row: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of collection.fields) {
    const type = fieldTypeOf(field);
    values[field.name] = field.name in row ? type.prepare(type.fromStorage(row[field.name], field), field) : type.zero(field);
  }
  return values;
}

/** Zero values of every field (the starting point of a create). */
export function zeroValues(collection: CollectionModel): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of collection.fields) values[field.name] = fieldTypeOf(field).zero(field);
  return values;
}

/** Server-side values (autogenerate, autodate) over the applied body; a field it changes counts as touched. */
export function applyAutofill(collection: CollectionModel, applied: AppliedBody, isNew: boolean, now: Date): void {
  for (const field of collection.fields) {
    const type = fieldTypeOf(field);
    if (!type.autofill) continue;
    const before = applied.values[field.name];
    const after = type.autofill(before, field, { isNew, now });
    if (after !== before) {
      applied.values[field.name] = after;
      applied.touched.add(field.name);
    }
  }
}
