/**
 * The collection editor's server side: Galley's own routes (`/api/galley/collections/meta` says whether this
 * server accepts collection writes and which options each field type has; `/api/galley/collections/plan`
 * checks and plans a change without applying it), PocketBase's view dry-run, and the error tree of a
 * refused collection turned into `path → message`.
 */
import type { CollectionModel } from 'pocketbase';
import { ClientResponseError, pb } from './api.ts';

/** A draft option's JSON Schema, as far as the editor reads it. */
export interface OptionSchema {
  type?: string;
  anyOf?: OptionSchema[];
  items?: OptionSchema;
  minimum?: number;
  maximum?: number;
  description?: string;
  properties?: Record<string, OptionSchema>;
}

export interface CollectionsMeta {
  writable: boolean;
  /** why not, and how to enable writes (the collections API's own message) */
  message: string;
  schemaFile: string | null;
  fieldTypes: Record<string, { properties: Record<string, OptionSchema> }>;
  collectionTypes: Record<string, { properties: Record<string, OptionSchema> }>;
}

export interface PlannedStep {
  description: string;
  details: string[];
  lossy: boolean;
  why: string;
  refused: string;
  checkedOnApply: boolean;
}

export interface CollectionPlan {
  steps: PlannedStep[];
  lines: string[];
  lossy: number;
  refused: number;
  collection: CollectionModel | null;
}

export type PlanRequest =
  | { action: 'create'; collection: Record<string, unknown>; plan?: boolean }
  | { action: 'update'; id: string; collection: Record<string, unknown>; plan?: boolean }
  | { action: 'delete'; id: string }
  | { action: 'import'; collections: unknown[]; deleteMissing: boolean };

let metaPromise: Promise<CollectionsMeta> | null = null;

/** Read once per page load (the server's flags do not change while it runs). */
export function loadCollectionsMeta(): Promise<CollectionsMeta> {
  metaPromise ??= pb.send<CollectionsMeta>('/api/galley/collections/meta', { method: 'GET' }).catch((err) => {
    metaPromise = null;
    throw err;
  });
  return metaPromise;
}

export function planChange(body: PlanRequest): Promise<CollectionPlan> {
  return pb.send<CollectionPlan>('/api/galley/collections/plan', { method: 'POST', body });
}

export function dryRunView(query: string): Promise<{ fields: Array<Record<string, unknown>>; sample: Array<Record<string, unknown>> }> {
  return pb.send('/api/collections/meta/dry-run-view', { method: 'POST', body: { query } });
}

/** `{fields: {2: {name: {message}}}}` → `{ 'fields.2.name': message }`. */
export function flattenIssues(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ClientResponseError)) return out;
  const walk = (node: unknown, path: string[]) => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (typeof n['message'] === 'string' && typeof n['code'] === 'string') {
      out[path.join('.')] = n['message'];
      return;
    }
    for (const [k, v] of Object.entries(n)) walk(v, [...path, k]);
  };
  walk(err.response?.['data'], []);
  return out;
}

/** Options every field has besides its type's own (edited apart from the type's options). */
export const COMMON_FIELD_KEYS = ['id', 'name', 'type', 'system', 'hidden', 'presentable', 'renamedFrom', 'required', 'help'];

/** The rules of each collection type, with what they decide. */
export const RULES: Array<{ key: string; label: string; help: string; auth?: boolean }> = [
  { key: 'listRule', label: 'List rule', help: 'Who may list records and search them.' },
  { key: 'viewRule', label: 'View rule', help: 'Who may view one record.' },
  { key: 'createRule', label: 'Create rule', help: 'Who may create records.' },
  { key: 'updateRule', label: 'Update rule', help: 'Who may update a record.' },
  { key: 'deleteRule', label: 'Delete rule', help: 'Who may delete a record.' },
  { key: 'authRule', label: 'Auth rule', help: 'Checked against the record that signs in; empty lets every record sign in.', auth: true },
  { key: 'manageRule', label: 'Manage rule', help: 'Who may manage other records fully (email, password, verified) without their password.', auth: true },
];

/** The field types the editor offers, in the order PocketBase's dashboard lists them. */
export const FIELD_TYPE_ORDER = ['text', 'editor', 'number', 'bool', 'email', 'url', 'date', 'autodate', 'select', 'file', 'relation', 'json', 'geoPoint', 'password'];

/** A field's draft without the editor's own bookkeeping. */
export function cleanDraft(collection: Record<string, unknown>): Record<string, unknown> {
  const out = { ...collection };
  delete out['created'];
  delete out['updated'];
  if (Array.isArray(out['fields'])) out['fields'] = out['fields'].map((f: Record<string, unknown>) => {
    const { _key: _k, ...rest } = f;
    return rest;
  });
  return out;
}
