import { sql, type CompiledQuery } from 'kysely';
import type { Core } from '../core.ts';
import { MAX_EXPANDED_RECORDS } from '../query/limits.ts';
import { orderByModifiers } from '../query/sort.ts';
import { checkListCost, isCostlyQuery } from '../rules/filter-cost.ts';
import { isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel } from '../schema/model.ts';
import { findCollectionOr404, isRuleRequestFree, mayHoldManageAccess, scopeOf } from './access.ts';
import { expandRecords } from './expand.ts';
import { countExpandedRecords, expandTooLarge } from './expand-size.ts';
import { parseListParams } from './list-params.ts';
import { checkListRuleAccess, compileListClauses, type ListClauses } from './resolver.ts';
import { findManagedIds, serializeRecord, viewerOf } from './serialize.ts';
import { cachedPlan, cachedQuery, isRequestFree } from './statement-cache.ts';

export interface ListResult {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: Record<string, unknown>[];
}

/** A list is one query (rule and filter in its WHERE), plus one COUNT unless skipTotal. */
export async function listRecords(
  core: Core,
  info: RequestInfo,
  collectionIdOrName: string,
  query: Record<string, string>,
): Promise<ListResult> {
  const schema = core.schema;
  const collection = findCollectionOr404(schema, collectionIdOrName);
  const params = parseListParams(query);
  const scope = scopeOf(schema, collection, info, core.db.dialect);
  // before the cache: a cached statement must not skip the 403
  checkListRuleAccess(scope, collection.listRule);
  const filter = params.filter.trim();
  const sort = params.sort.trim();

  // rule, filter and sort share one join scope (wire: one resolver in PocketBase); compiled once per request
  let clauses: ListClauses | undefined;
  const compileClauses = () => (clauses ??= compileListClauses(scope, collection.listRule, filter, sort));
  const buildRows = () => {
    const { where, order } = compileClauses();
    let q = core.db.read.selectFrom(collection.name).selectAll(collection.name);
    if (where) q = q.where(where);
    for (const o of order) q = q.orderBy(o.expr as never, orderByModifiers(o));
    // a view has no rowid column on PostgreSQL (docs/postgresql.md); its ties keep the database's order
    const tie = collection.type === 'view' ? null : core.db.dialect.tieBreak(collection.name);
    if (tie) q = q.orderBy(tie as never);
    return q.limit(params.perPage).offset((params.page - 1) * params.perPage).compile();
  };
  const buildCount = () => {
    // the WHERE of the same clauses (a sort never adds to it: rows it may not see sort as NULL)
    const { where } = compileClauses();
    let q = core.db.read.selectFrom(collection.name).select(sql<number>`count(*)`.as('n'));
    if (where) q = q.where(where);
    return q.compile();
  };
  // a client part over budget is a 400 before anything runs; a costly one runs aside with a deadline (issue 18)
  const planList = (): ListPlan => ({ costly: isCostlyQuery(checkListCost(scope, collection.listRule, filter, sort)), rows: buildRows() });
  // The same list asked again (same filter, sort, page) reuses its plan when nothing in it depends on the request:
  // no rule/filter/sort reads @request, macros or joined collections' rules. The cost verdict is kept with the
  // statement: it depends on the same things (schema, collection, superuser or not, rule, filter, sort).
  const cacheable =
    isRuleRequestFree(scope, 'listRule') && isRequestFree(filter, { joins: false }) && isRequestFree(sort, { joins: false });
  const key = `${collection.id}|${isSuperuser(info)}|${params.perPage}|${params.page}|${sort}|${filter}`;
  const plan = cacheable ? cachedPlan(schema, `list|${key}`, planList) : planList();
  const execute = plan.costly ? (q: CompiledQuery) => core.db.readAside(q) : (q: CompiledQuery) => core.db.read.executeQuery(q);
  const rows = (await execute(plan.rows)).rows as Record<string, unknown>[];
  let totalItems = -1;
  let totalPages = -1;
  if (!params.skipTotal) {
    const countQuery = cacheable ? cachedQuery(schema, `count|${key}`, buildCount) : buildCount();
    const counted = (await execute(countQuery)).rows[0] as { n: number } | undefined;
    totalItems = Number(counted?.n ?? 0);
    totalPages = Math.ceil(totalItems / params.perPage);
  }
  const items = await serializeRows(core, info, collection, rows, params.expand, 'refuse');
  return { page: params.page, perPage: params.perPage, totalItems, totalPages, items };
}

/** A list's page statement and whether it runs aside (its cost over the costly mark). */
interface ListPlan {
  costly: boolean;
  rows: CompiledQuery;
}

const NO_IDS: ReadonlySet<string> = new Set();

/**
 * Rows → wire records with `expand`, as the caller may see them. An expand nesting more than
 * MAX_EXPANDED_RECORDS records is refused (400) on reads, and left out after a write (wire: expand
 * problems never fail a create or update).
 */
export function serializeRows(
  core: Core,
  info: RequestInfo,
  collection: CollectionModel,
  rows: Record<string, unknown>[],
  expand: string,
  oversize: 'refuse' | 'omit' = 'omit',
): Promise<Record<string, unknown>[]> {
  // only an auth collection with a manageRule, seen by a signed-in caller, can have managed ids; without them and
  // without an expand nothing is awaited (no async frame: this runs for every record read)
  if (!mayHoldManageAccess(collection, info) && (rows.length === 0 || expand.trim() === '')) {
    return Promise.resolve(serializeRowsFor(collection, rows, info, NO_IDS));
  }
  return serializeRowsWithLookups(core, info, collection, rows, expand, oversize);
}

/** One row with nothing to look up (no expand, no managed ids possible): a get by id's answer, without arrays or a promise. */
export function serializeRowWithoutLookups(collection: CollectionModel, row: Record<string, unknown>, info: RequestInfo): Record<string, unknown> {
  const viewer = viewerOf(info, isSuperuser(info));
  viewer.managedIds = NO_IDS;
  return serializeRecord(collection, row, viewer);
}

function serializeRowsFor(collection: CollectionModel, rows: Record<string, unknown>[], info: RequestInfo, managedIds: ReadonlySet<string>): Record<string, unknown>[] {
  const viewer = viewerOf(info, isSuperuser(info));
  viewer.managedIds = managedIds;
  const items: Record<string, unknown>[] = [];
  for (const row of rows) items.push(serializeRecord(collection, row, viewer));
  return items;
}

async function serializeRowsWithLookups(
  core: Core,
  info: RequestInfo,
  collection: CollectionModel,
  rows: Record<string, unknown>[],
  expand: string,
  oversize: 'refuse' | 'omit',
): Promise<Record<string, unknown>[]> {
  const managedIds = mayHoldManageAccess(collection, info) ? await findManagedIds(core.db.read, core.schema, collection, info, rows, core.db.dialect) : NO_IDS;
  const items = serializeRowsFor(collection, rows, info, managedIds);
  if (expand.trim() !== '' && rows.length > 0) {
    await expandRecords(core, core.db.read, info, collection, rows, items, expand);
    if (countExpandedRecords(items) > MAX_EXPANDED_RECORDS) {
      if (oversize === 'refuse') throw expandTooLarge();
      for (const item of items) delete item['expand'];
    }
  }
  return items;
}
