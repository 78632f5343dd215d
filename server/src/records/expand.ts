import type { Kysely } from 'kysely';
import type { Core } from '../core.ts';
import { deriveRequest, isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import { findSingleColumnUniqueIndex } from '../schema/index-sql.ts';
import type { CollectionModel, FieldModel } from '../schema/model.ts';
import { ruleClauseOrDeny, scopeOf } from './access.ts';
import { relationHolds, relationIds } from './relation-values.ts';
import { findManagedIds, serializeRecord, viewerOf } from './serialize.ts';

/** wire: PocketBase expands at most 6 levels deep and at most 1000 back-related records. */
export const MAX_EXPAND_DEPTH = 6;
const MAX_BACK_RELATED = 1000;
const ID_CHUNK = 500;

type ExpandTree = Map<string, ExpandTree>;

export function parseExpandParam(input: string): ExpandTree {
  const root: ExpandTree = new Map();
  for (const raw of input.replace(/\s+/g, '').split(',')) {
    const segments = raw.replace(/^\.+|\.+$/g, '').split('.').filter(Boolean).slice(0, MAX_EXPAND_DEPTH);
    let node = root;
    for (const seg of segments) {
      let next = node.get(seg);
      if (!next) node.set(seg, (next = new Map()));
      node = next;
    }
  }
  return root;
}

interface Target {
  collection: CollectionModel;
  /** forward: the relation field on the parent; back: the relation field on the child */
  field: FieldModel;
  back: boolean;
  single: boolean;
}

function findTarget(core: Core, parent: CollectionModel, name: string): Target | null {
  const schema = core.schema;
  const via = /^(\w+)_via_(\w+)$/.exec(name);
  if (via) {
    const child = schema.findCollection(via[1]!);
    const field = child && schema.findField(child, via[2]!);
    const rel = field ? fieldTypeOf(field).relation?.(field) : null;
    if (!child || !field || !rel || rel.collectionId !== parent.id) return null;
    return { collection: child, field, back: true, single: findSingleColumnUniqueIndex(child.indexes, field.name) !== undefined };
  }
  const field = schema.findField(parent, name);
  const rel = field ? fieldTypeOf(field).relation?.(field) : null;
  const target = rel ? schema.findCollection(rel.collectionId) : undefined;
  if (!field || !rel || !target) return null;
  return { collection: target, field, back: false, single: !rel.multi };
}

async function fetchVisible(
  core: Core,
  db: Kysely<any>,
  info: RequestInfo,
  target: Target,
  parentIds: string[],
  childIds: string[],
): Promise<Record<string, unknown>[] | null> {
  const scope = scopeOf(core.schema, target.collection, deriveRequest(info, { context: 'expand' }), core.db.dialect);
  const rule = ruleClauseOrDeny(scope, 'viewRule');
  if (rule === 'deny') return null;
  const keys = target.back ? parentIds : childIds;
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += ID_CHUNK) {
    const chunk = keys.slice(i, i + ID_CHUNK);
    const table = target.collection.name;
    let q = db.selectFrom(table).selectAll(table);
    // which back-related rows make the limit, and their order, are the table's order (rowid) on either database
    const tie = target.back && target.collection.type !== 'view' ? core.db.dialect.tieBreak(table) : null;
    if (tie) q = q.orderBy(tie as never);
    q = target.back
      ? q.where(relationHolds(table, target.field, chunk, core.db.dialect)).limit(MAX_BACK_RELATED)
      : q.where(`${table}.id`, 'in', chunk);
    if (rule) q = q.where(rule);
    out.push(...((await q.execute()) as Record<string, unknown>[]));
  }
  return out;
}

/**
 * Adds `expand` to each serialized record. Each expanded record passes its own collection's view rule,
 * else it is left out silently; expand problems never fail the request (wire).
 */
export async function expandRecords(
  core: Core,
  db: Kysely<any>,
  info: RequestInfo,
  collection: CollectionModel,
  rows: Record<string, unknown>[],
  items: Record<string, unknown>[],
  expand: string | ExpandTree,
): Promise<void> {
  const tree = typeof expand === 'string' ? parseExpandParam(expand) : expand;
  const viewer = viewerOf(info, isSuperuser(info));
  for (const [name, subtree] of tree) {
    const target = findTarget(core, collection, name);
    if (!target) continue;
    const parentIds = rows.map((r) => String(r['id']));
    const childIds = [...new Set(rows.flatMap((r) => relationIds(r[target.field.name])))];
    const related = await fetchVisible(core, db, info, target, parentIds, childIds);
    if (!related) continue;
    const managedIds = await findManagedIds(db, core.schema, target.collection, info, related, core.db.dialect);
    const relatedItems = related.map((r) => serializeRecord(target.collection, r, { ...viewer, managedIds }));
    if (subtree.size > 0 && related.length > 0) {
      await expandRecords(core, db, info, target.collection, related, relatedItems, subtree);
    }
    const byId = new Map(related.map((r, i) => [String(r['id']), relatedItems[i]!]));
    rows.forEach((row, i) => {
      const item = items[i]!;
      const bag = ((item['expand'] as Record<string, unknown> | undefined) ??= {});
      const found = target.back
        ? related.filter((r) => relationIds(r[target.field.name]).includes(String(row['id']))).map((r) => byId.get(String(r['id']))!)
        : relationIds(row[target.field.name]).flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
      if (found.length === 0) return;
      bag[name] = target.single ? found[0] : found;
    });
  }
}
