/**
 * A record as hooks see it, as on PocketBase's records: `e.record.get('title')`, `e.record.set('slug', …)`, and
 * the plain read `e.record.title`. It is a view over the values object the pipeline holds (a request body, or the
 * row about to be stored), so `set` changes what gets written. Storage rows are read and written in their field
 * types' wire form (a multi-select reads as an array, not as its stored JSON text). One small object and a Proxy
 * with a shared handler per event: a handler that only calls `e.next()` pays for little more.
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

/**
 * PostgreSQL's `_rowid_` identity column (db/postgres-ddl.ts) comes with every row read back there; SQLite's rowid
 * never does. It is no field (a reserved name), so a record shows the same values on both.
 */
const ROWID_COLUMN = '_rowid_';

class RecordView {
  readonly #collection: CollectionModel;
  readonly #values: Record<string, unknown>;
  readonly #storage: boolean;
  readonly #state: { isNew: boolean };
  #changed: Set<string> | undefined;

  constructor(collection: CollectionModel, values: Record<string, unknown>, form: HookRecordForm, state: { isNew: boolean }) {
    this.#collection = collection;
    this.#values = values;
    this.#storage = form === 'storage';
    this.#state = state;
  }

  get id(): string {
    return this.#values['id'] as string;
  }
  collection(): CollectionModel {
    return this.#collection;
  }
  isNew(): boolean {
    return this.#state.isNew;
  }
  get(name: string): unknown {
    if (name === ROWID_COLUMN) return undefined;
    const raw = this.#values[name];
    if (!this.#storage || raw === undefined) return raw;
    const field = this.#collection.fields.find((f) => f.name === name);
    return field ? fieldTypeOf(field).fromStorage(raw, field) : raw;
  }
  set(name: string, value: unknown): void {
    (this.#changed ??= new Set()).add(name);
    const field = this.#storage ? this.#collection.fields.find((f) => f.name === name) : undefined;
    if (!field) {
      this.#values[name] = value;
      return;
    }
    const type = fieldTypeOf(field);
    this.#values[name] = type.toStorage(type.prepare(value, field), field);
  }
  changes(): Record<string, unknown> {
    return Object.fromEntries([...(this.#changed ?? [])].map((name) => [name, this.get(name)]));
  }
  /** Every value, hidden ones too (what app.save writes). */
  allValues(): Record<string, unknown> {
    const out: Record<string, unknown> = { collectionId: this.#collection.id, collectionName: this.#collection.name };
    for (const name of Object.keys(this.#values)) if (name !== ROWID_COLUMN) out[name] = this.get(name);
    return out;
  }
  /**
   * As PocketBase's Record.PublicExport: hidden fields (an auth record's password hash and tokenKey among them)
   * are left out, and an auth record's email unless emailVisibility is on, so `e.json(200, e.auth)` in a custom
   * route answers no secret.
   */
  publicExport(): Record<string, unknown> {
    const out = this.allValues();
    for (const field of this.#collection.fields) if (field.hidden) delete out[field.name];
    if (this.#collection.type === 'auth' && !this.get('emailVisibility')) delete out['email'];
    return out;
  }
  toJSON(): Record<string, unknown> {
    return this.publicExport();
  }
  has(name: string): boolean {
    return name !== ROWID_COLUMN && name in this.#values;
  }
}

const METHODS = new Set(['id', 'collection', 'isNew', 'get', 'set', 'changes', 'publicExport', 'toJSON']);

/** The key of a record view's every-value export (a symbol: no field name can shadow it). */
const ALL_VALUES = Symbol('galley.hookRecord.allValues');

/** Every value of a hook record, hidden ones too: for the app's own writes, never for an answer. */
export function hookRecordValues(record: HookRecord): Record<string, unknown> {
  return (record as unknown as Record<symbol, () => Record<string, unknown>>)[ALL_VALUES]!();
}

/** One handler for every record view: methods from the class, any other name a field read. */
const VIEW_HANDLER: ProxyHandler<RecordView> = {
  get(target, prop) {
    if (prop === ALL_VALUES) return target.allValues.bind(target);
    if (typeof prop !== 'string') return undefined;
    if (METHODS.has(prop)) {
      const member = (target as unknown as Record<string, unknown>)[prop];
      return typeof member === 'function' ? member.bind(target) : member;
    }
    return target.get(prop);
  },
  set(target, prop, value) {
    if (typeof prop !== 'string' || METHODS.has(prop)) return false;
    target.set(prop, value);
    return true;
  },
  has: (target, prop) => typeof prop === 'string' && (METHODS.has(prop) || target.has(prop)),
};

export function createHookRecord(collection: CollectionModel, values: Record<string, unknown>, form: HookRecordForm, state: { isNew: boolean } = { isNew: false }): HookRecord {
  return new Proxy(new RecordView(collection, values, form, state), VIEW_HANDLER) as unknown as HookRecord;
}
