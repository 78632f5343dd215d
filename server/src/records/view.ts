import type { Core } from '../core.ts';
import { notFound } from '../errors.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { findCollectionOr404, ruleClause, scopeOf } from './access.ts';
import { serializeRows } from './list.ts';

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
  const rule = ruleClause(scopeOf(schema, collection, info), 'viewRule');
  let q = core.db.read.selectFrom(collection.name).selectAll(collection.name).where(`${collection.name}.id`, '=', id);
  if (rule) q = q.where(rule);
  const row = (await q.executeTakeFirst()) as Record<string, unknown> | undefined;
  if (!row) throw notFound();
  const [item] = await serializeRows(core, info, collection, [row], query['expand'] ?? '');
  return item!;
}
