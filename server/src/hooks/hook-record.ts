/**
 * A record as hooks see it, as on PocketBase's records: `e.record.get('title')`, `e.record.set('slug', …)`, and
 * the plain read `e.record.title`. It is a view over the values object the pipeline holds (a request body, or the
 * row about to be stored), so `set` changes what gets written. Storage rows are read and written in their field
 * types' wire form (a multi-select reads as an array, not as its stored JSON text).
 */
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel } from '../schema/model.ts';

export interface HookRecord {
  readonly id: string;
  collection(): CollectionModel;
  get(field: string): unknown;
  set(field: string, value: unknown): void;
  /** true for a record made by app.newRecord and not saved yet */
  isNew(): boolean;
  /** the fields set since it was read (what app.save of a stored record writes) */
  changes(): Record<string, unknown>;
  /** the values as plain data (wire form) */
  publicExport(): Record<string, unknown>;
  toJSON(): Record<string, unknown>;
  readonly [field: string]: unknown;
}

/** `values`' form: the client's body (as sent), or a storage row (column values). */
export type HookRecordForm = 'body' | 'storage';

export function createHookRecord(collection: CollectionModel, values: Record<string, unknown>, form: HookRecordForm, state: { isNew: boolean } = { isNew: false }): HookRecord {
  const changed = new Set<string>();
  // built on the first get/set: a handler that only goes on costs no field lookup table
  let fields: Map<string, CollectionModel['fields'][number]> | undefined;
  const fieldNamed = (name: string) => (fields ??= new Map(collection.fields.map((f) => [f.name, f]))).get(name);
  const get = (name: string): unknown => {
    const field = fieldNamed(name);
    const raw = values[name];
    if (form === 'body' || !field || raw === undefined) return raw;
    return fieldTypeOf(field).fromStorage(raw, field);
  };
  const set = (name: string, value: unknown): void => {
    changed.add(name);
    const field = fieldNamed(name);
    if (form === 'body' || !field) {
      values[name] = value;
      return;
    }
    const type = fieldTypeOf(field);
    values[name] = type.toStorage(type.prepare(value, field), field);
  };
  const exportValues = (): Record<string, unknown> => {
    const out: Record<string, unknown> = { collectionId: collection.id, collectionName: collection.name };
    for (const name of Object.keys(values)) out[name] = get(name);
    return out;
  };
  const methods: Record<string, unknown> = {
    collection: () => collection,
    isNew: () => state.isNew,
    changes: () => Object.fromEntries([...changed].map((name) => [name, get(name)])),
    get,
    set,
    publicExport: exportValues,
    toJSON: exportValues,
  };
  return new Proxy(values, {
    get(target, prop) {
      if (typeof prop !== 'string') return undefined;
      if (prop === 'id') return target['id'];
      if (Object.hasOwn(methods, prop)) return methods[prop];
      return get(prop);
    },
    set(_target, prop, value) {
      if (typeof prop !== 'string' || Object.hasOwn(methods, prop)) return false;
      set(prop, value);
      return true;
    },
    has: (target, prop) => typeof prop === 'string' && (Object.hasOwn(methods, prop) || prop in target),
  }) as unknown as HookRecord;
}
