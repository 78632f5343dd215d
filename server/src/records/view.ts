import { sql, type CompiledQuery } from 'kysely';
import type { Core } from '../core.ts';
import { notFound } from '../errors.ts';
import { isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel } from '../schema/model.ts';
import { assertRuleOpen, findCollectionOr404, isRuleRequestFree, mayHoldManageAccess, ruleClause, scopeOf } from './access.ts';
import { serializeRows, serializeRowWithoutLookups } from './list.ts';
import type { FilterScope } from './resolver.ts';
import { cachedQuery, PARAM_SLOT } from './statement-cache.ts';

/** wire: a record that is missing or hidden by the view rule is the same 404. */
export async function viewRecord(
  core: Core,
  info: RequestInfo,
  collectionIdOrName: string,
  id: string,
  query: Record<string, string>,
): Promise<Record<string, unknown>> {
  const schema = core.schema;
  const collection = findCollectionOr404(schema, collectionIdOrName);
  const scope = scopeOf(schema, collection, info, core.db.dialect);
  // wire: a null viewRule is 403 for all but superusers, before any lookup
  assertRuleOpen(collection, info, 'viewRule');
  // PostgreSQL's text holds no NUL byte, so no row has such an id; asked for it, it raises (a 400) where SQLite finds nothing
  if (core.config.database && id.includes('\0')) throw notFound();
  // A view whose rule reads nothing from the request is one statement per collection: compile it once.
  const statement = isRuleRequestFree(scope, 'viewRule')
    ? cachedQuery(schema, `view|${collection.id}|${isSuperuser(info)}`, () => compileViewStatement(core, collection, scope, PARAM_SLOT), [id])
    : compileViewStatement(core, collection, scope, id);
  const row = (await core.db.read.executeQuery(statement)).rows[0] as Record<string, unknown> | undefined;
  if (!row) throw notFound();
  const expand = query['expand'] ?? '';
  if (expand.trim() === '' && !mayHoldManageAccess(collection, info)) return serializeRowWithoutLookups(collection, row, info);
  return (await serializeRows(core, info, collection, [row], expand, 'refuse'))[0]!;
}

/**
 * The lookup by id through the view rule. Built only when the statement is compiled (a cached one is not): Kysely's
 * builders cost more than the lookup's JS. A module function: one closure per request where there were two.
 */
function compileViewStatement(core: Core, collection: CollectionModel, scope: FilterScope, idParam: string): CompiledQuery {
  const rule = ruleClause(scope, 'viewRule');
  // wire: a view's id may be a number (`ROW_NUMBER() OVER ()`, `1 AS id`); its column has no affinity, so the
  // path's text is compared with the id as text (PocketBase finds such a record by /records/1)
  const idColumn = collection.type === 'view' ? sql<string>`CAST(${sql.ref(`${collection.name}.id`)} AS TEXT)` : sql.ref<string>(`${collection.name}.id`);
  let q = core.db.read.selectFrom(collection.name).selectAll(collection.name).where(idColumn, '=', idParam);
  if (rule) q = q.where(rule);
  return q.compile();
}
