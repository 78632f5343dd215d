/**
 * `app`'s record helpers, as PocketBase's JS app: findRecordById, findFirstRecordByFilter, findRecordsByFilter,
 * countRecords (filters with `{:name}` bound parameters), newRecord, save, delete, runInTransaction. They act as a
 * superuser (no rules) through the same services as the API; inside a model hook or runInTransaction they join
 * the running write's transaction (the writer nests them as savepoints). save/delete run the model and
 * after-commit hooks, never the request hooks (those are for client requests).
 */
import type { Core } from '../core.ts';
import { notFound } from '../errors.ts';
import { createHookRecord, hookRecordValues, type HookRecord } from '../hooks/hook-record.ts';
import { runServerWrite } from '../hooks/record-hook-registry.ts';
import { createRecord } from '../records/create.ts';
import { deleteRecord } from '../records/delete.ts';
import { listRecords } from '../records/list.ts';
import { findSystemCollection } from '../records/record-write.ts';
import { updateRecord } from '../records/update.ts';
import { viewRecord } from '../records/view.ts';
import { findCollectionOr404 } from '../records/access.ts';
import { superuserRequest, SUPERUSERS, type RequestInfo } from '../rules/request-info.ts';
import type { AppPart } from './hooks-app.ts';

export type FilterParams = Record<string, string | number | boolean | null | Date>;

declare module './hooks-app.ts' {
  interface HooksApp {
    findRecordById(collection: string, id: string): Promise<HookRecord>;
    findFirstRecordByFilter(collection: string, filter: string, params?: FilterParams): Promise<HookRecord>;
    findRecordsByFilter(collection: string, filter: string, sort?: string, limit?: number, offset?: number, params?: FilterParams): Promise<HookRecord[]>;
    countRecords(collection: string, filter?: string, params?: FilterParams): Promise<number>;
    newRecord(collection: string, data?: Record<string, unknown>): HookRecord;
    save(record: HookRecord): Promise<HookRecord>;
    delete(record: HookRecord): Promise<void>;
    runInTransaction<T>(fn: (app: HooksApp) => Promise<T>): Promise<T>;
  }
}

/** A filter value as a literal of the filter language (wire: PocketBase binds `{:name}` as a parameter). */
function filterLiteral(name: string, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`filter parameter {:${name}}: ${value} is not a finite number`);
    return String(value);
  }
  const text = value instanceof Date ? value.toISOString().replace('T', ' ') : String(value);
  // the lexer ends a text only at a quote not preceded by a backslash, and unescapes \'
  if (text.endsWith('\\')) throw new TypeError(`filter parameter {:${name}}: a text ending in a backslash cannot be bound`);
  return `'${text.replaceAll("'", "\\'")}'`;
}

/** `{:name}` placeholders replaced by their values as literals; an unknown name is an error. */
export function bindFilterParams(filter: string, params: FilterParams = {}): string {
  return filter.replace(/\{:([A-Za-z_][\w]*)\}/g, (_m, name: string) => {
    if (!Object.hasOwn(params, name)) throw new TypeError(`filter parameter {:${name}} has no value in the params`);
    return filterLiteral(name, params[name]);
  });
}

const META_KEYS = new Set(['collectionId', 'collectionName', 'expand']);

function plainValues(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => !META_KEYS.has(k)));
}

export const recordsAppPart: AppPart = ({ core }) => {
  const asSuperuser = (): RequestInfo => superuserRequest(findSystemCollection(core, SUPERUSERS), 'POST');
  const wrap = (collectionName: string, item: Record<string, unknown>): HookRecord =>
    createHookRecord(findCollectionOr404(core.schema, collectionName), item, 'body');
  const list = async (collection: string, query: Record<string, string>) => listRecords(core as Core, asSuperuser(), collection, query);
  const app = {
    async findRecordById(collection: string, id: string) {
      return wrap(collection, await viewRecord(core, asSuperuser(), collection, id, {}));
    },
    async findFirstRecordByFilter(collection: string, filter: string, params?: FilterParams) {
      const out = await list(collection, { filter: bindFilterParams(filter, params), perPage: '1', skipTotal: '1' });
      if (out.items.length === 0) throw notFound();
      return wrap(collection, out.items[0]!);
    },
    async findRecordsByFilter(collection: string, filter: string, sort = '', limit = 30, offset = 0, params?: FilterParams) {
      const out = await list(collection, { filter: bindFilterParams(filter, params), sort, perPage: String(offset + limit), skipTotal: '1' });
      return out.items.slice(offset, offset + limit).map((item) => wrap(collection, item));
    },
    async countRecords(collection: string, filter = '', params?: FilterParams) {
      return (await list(collection, { filter: bindFilterParams(filter, params), perPage: '1' })).totalItems;
    },
    newRecord(collection: string, data: Record<string, unknown> = {}) {
      return createHookRecord(findCollectionOr404(core.schema, collection), { ...data }, 'body', { isNew: true });
    },
    async save(record: HookRecord) {
      const collection = record.collection();
      const saved = await runServerWrite(() =>
        record.isNew()
          ? createRecord(core, asSuperuser(), collection.name, plainValues(hookRecordValues(record)), {})
          : updateRecord(core, asSuperuser(), collection.name, record.id, plainValues(record.changes()), {}),
      );
      return wrap(collection.name, saved);
    },
    async delete(record: HookRecord) {
      await runServerWrite(() => deleteRecord(core, asSuperuser(), record.collection().name, record.id));
    },
    runInTransaction<T>(fn: (app: unknown) => Promise<T>): Promise<T> {
      return core.db.writer.run(() => fn(self));
    },
  };
  const self = app;
  return app;
};
