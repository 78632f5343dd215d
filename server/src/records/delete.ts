import type { Core } from '../core.ts';
import { notFound } from '../errors.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { findCollectionOr404, ruleClause, scopeOf } from './access.ts';
import { assertWritable } from './create.ts';
import { deleteRecordRow, runRequestHooks } from './record-write.ts';

/** wire: missing and rule-hidden records are the same 404; success is 204 with no body. */
export async function deleteRecord(core: Core, info: RequestInfo, collectionIdOrName: string, id: string): Promise<void> {
  const schema = core.schema;
  const collection = findCollectionOr404(schema, collectionIdOrName);
  assertWritable(collection);
  const rule = ruleClause(scopeOf(schema, collection, info, core.db.dialect), 'deleteRule');
  const table = collection.name;
  await runRequestHooks(core, { action: 'delete', collection, id, auth: info.auth?.record ?? null });
  await core.db.writer.run(async (tx) => {
    let q = tx.db.selectFrom(table).selectAll(table).where(`${table}.id`, '=', id);
    if (rule) q = q.where(rule);
    const row = (await q.executeTakeFirst()) as Record<string, unknown> | undefined;
    if (!row) throw notFound();
    // cascades, files and auth refs: records/record-write.ts
    await deleteRecordRow(core, tx, collection, row);
  });
}
