import type { Core } from '../core.ts';
import { GalleyError, issue, notFound, type IssueTree } from '../errors.ts';
import { deriveRequest, isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import { checkManageAccess, findCollectionOr404, ruleClause, scopeOf } from './access.ts';
import { checkAuthBody } from './auth-fields.ts';
import { applyAutofill, applyBody, valuesFromRow } from './body.ts';
import { assertWritable } from './create.ts';
import { serializeRows } from './list.ts';
import { planFileRemovals, removeFilesAfterCommit, storeUploads } from './record-files.ts';
import { runRequestHooks, updateRecordRow } from './record-write.ts';
import { buildRow } from './store.ts';
import { checkUpdatePrecondition, readUpdatePrecondition } from './update-precondition.ts';
import { validateContext, validateFields } from './validate.ts';

const FAILED = 'Failed to update record.';

/**
 * Update: the record must exist and pass the update rule (else 404, checked before validation so a
 * caller learns nothing of records it may not touch); the rule is checked again inside the write. With
 * `If-Match` (a Galley extension, update-precondition.ts) the stored `updated` must still be the one the client
 * read: checked early, and again inside the writer job, so no write can slip in between.
 */
export async function updateRecord(
  core: Core,
  info: RequestInfo,
  collectionIdOrName: string,
  id: string,
  input: Record<string, unknown>,
  query: Record<string, string>,
): Promise<Record<string, unknown>> {
  const schema = core.schema;
  const collection = findCollectionOr404(schema, collectionIdOrName);
  assertWritable(collection);
  const superuser = isSuperuser(info);
  const table = collection.name;
  const precondition = readUpdatePrecondition(collection, info);
  const current = (await core.db.read.selectFrom(table).selectAll(table).where(`${table}.id`, '=', id).executeTakeFirst()) as
    | Record<string, unknown>
    | undefined;
  if (!current) throw notFound();
  await runRequestHooks(core, { action: 'update', collection, id, input, auth: info.auth?.record ?? null });
  const applied = applyBody(collection, valuesFromRow(collection, current), input, { superuser, isNew: false });
  const scope = scopeOf(schema, collection, deriveRequest(info, { body: applied.ruleBody }), core.db.dialect);
  const rule = ruleClause(scope, 'updateRule');
  const visible = async (db: typeof core.db.read) => {
    let q = db.selectFrom(table).select(`${table}.id`).where(`${table}.id`, '=', id);
    if (rule) q = q.where(rule);
    return (await q.executeTakeFirst()) !== undefined;
  };
  if (rule && !(await visible(core.db.read))) throw notFound();
  if (precondition) checkUpdatePrecondition(precondition, current);

  const now = core.clock();
  applyAutofill(collection, applied, false, now);
  const authIssues = await checkAuthBody(collection, applied, input, current, superuser || (() => checkManageAccess(core.db.read, scope, id)));
  // wire: PocketBase checks the auth form (password, confirmation, old password, email, verified) first; the fields only once it passes
  if (Object.keys(authIssues).length > 0) throw new GalleyError('invalid', FAILED, { issues: authIssues });
  // wire: PocketBase's primary key refuses a new value on update (the body's id is never applied)
  const pkIssues: IssueTree = Object.hasOwn(input, 'id') && String(input['id'] ?? '') !== String(current['id'])
    ? { id: issue('validation_pk_change', 'The record primary key cannot be changed.') }
    : {};
  await validateFields(collection, applied.values, applied.touched, validateContext(core.db.read, schema, superuser, false), FAILED, pkIssues, current);
  const row = await buildRow(collection, applied.values, applied.touched);

  const uploads = await storeUploads(core, collection, id, applied.values);
  const stored = await core.db.writer.run(async (tx) => {
    uploads.bind(tx);
    if (rule && !(await visible(tx.db))) throw notFound();
    if (precondition) {
      const stored = await tx.db.selectFrom(table).select(`${table}.${precondition.field}`).where(`${table}.id`, '=', id).executeTakeFirst();
      if (!stored) throw notFound();
      checkUpdatePrecondition(precondition, stored as Record<string, unknown>);
    }
    const letGo = await planFileRemovals(tx, collection, id, applied.values, applied.touched, FAILED);
    const updated = await updateRecordRow(core, tx, collection, id, row, FAILED);
    removeFilesAfterCommit(core, tx, collection, id, letGo);
    return updated;
  }).catch((err: unknown) => {
    uploads.discard(); // the job may never have run (writer closing)
    throw err;
  });
  const [item] = await serializeRows(core, info, collection, [stored], query['expand'] ?? '');
  return item!;
}
