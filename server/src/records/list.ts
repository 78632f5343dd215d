import { sql, type Expression, type SqlBool } from 'kysely';
import type { Core } from '../core.ts';
import { isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel } from '../schema/model.ts';
import { findCollectionOr404, ruleClause, scopeOf } from './access.ts';
import { expandRecords } from './expand.ts';
import { parseListParams } from './list-params.ts';
import { compileFilterWhere, compileSortOrder } from './resolver.ts';
import { serializeRecord, viewerOf } from './serialize.ts';

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
  const scope = scopeOf(schema, collection, info);
  const conditions: Expression<SqlBool>[] = [];
  const rule = ruleClause(scope, 'listRule');
  if (rule) conditions.push(rule);
  if (params.filter.trim() !== '') conditions.push(compileFilterWhere(scope, params.filter, 'client'));
  const order = params.sort.trim() === '' ? [] : compileSortOrder(scope, params.sort);

  const where = conditions.length === 0 ? null : conditions.length === 1 ? conditions[0]! : sql<SqlBool>`(${sql.join(conditions, sql` AND `)})`;
  let rowsQuery = core.db.read.selectFrom(collection.name).selectAll(collection.name);
  if (where) rowsQuery = rowsQuery.where(where);
  for (const o of order) rowsQuery = rowsQuery.orderBy(o.expr as never, o.direction);
  rowsQuery = rowsQuery.limit(params.perPage).offset((params.page - 1) * params.perPage);

  const rows = (await rowsQuery.execute()) as Record<string, unknown>[];
  let totalItems = -1;
  let totalPages = -1;
  if (!params.skipTotal) {
    let countQuery = core.db.read.selectFrom(collection.name).select(sql<number>`count(*)`.as('n'));
    if (where) countQuery = countQuery.where(where);
    const counted = (await countQuery.executeTakeFirst()) as { n: number } | undefined;
    totalItems = Number(counted?.n ?? 0);
    totalPages = Math.ceil(totalItems / params.perPage);
  }
  const items = await serializeRows(core, info, collection, rows, params.expand);
  return { page: params.page, perPage: params.perPage, totalItems, totalPages, items };
}

/** Rows → wire records with `expand`, as the caller may see them. */
export async function serializeRows(
  core: Core,
  info: RequestInfo,
  collection: CollectionModel,
  rows: Record<string, unknown>[],
  expand: string,
): Promise<Record<string, unknown>[]> {
  const viewer = viewerOf(info, isSuperuser(info));
  const items = rows.map((row) => serializeRecord(collection, row, viewer));
  if (expand.trim() !== '' && rows.length > 0) await expandRecords(core, core.db.read, info, collection, rows, items, expand);
  return items;
}
