import type { Kysely } from 'kysely';
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { deriveRequest, isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel } from '../schema/model.ts';
import { assertRuleOpen, checkManageAccess, findCollectionOr404, isRuleRequestFree, mayHoldManageAccess, ruleClause, scopeOf } from './access.ts';
import { checkAuthBody, findManagerOnlyChanges } from './auth-fields.ts';
import { assertAuthIdFree } from './auth-id.ts';
import { applyAutofill, applyBody, zeroValues } from './body.ts';
import { serializeRows } from './list.ts';
import { storeUploads } from './record-files.ts';
import { cachedQuery, PARAM_SLOT } from './statement-cache.ts';
import { insertRecordRow, runRequestHooks } from './record-write.ts';
import { buildRow } from './store.ts';
import { validateContext, validateFields } from './validate.ts';

const FAILED = 'Failed to create record.';

export function assertWritable(collection: CollectionModel): void {
  // wire: views are read-only in PocketBase, answered with this 400.
  if (collection.type === 'view') throw new GalleyError('invalid', 'Unsupported collection type.');
}

/**
 * Create: prepare and validate outside the writer, then insert and check the create rule against the
 * inserted row inside one savepoint (a failing rule rolls it back: wire 400 "Failed to create record.").
 */
export async function createRecord(
  core: Core,
  info: RequestInfo,
  collectionIdOrName: string,
  input: Record<string, unknown>,
  query: Record<string, string>,
): Promise<Record<string, unknown>> {
  const schema = core.schema;
  const collection = findCollectionOr404(schema, collectionIdOrName);
  assertWritable(collection);
  assertRuleOpen(collection, info, 'createRule');
  await runRequestHooks(core, { action: 'create', collection, input, auth: info.auth?.record ?? null });
  const superuser = isSuperuser(info);
  const applied = applyBody(collection, zeroValues(collection), input, { superuser, isNew: true });
  const now = core.clock();
  applyAutofill(collection, applied, true, now);
  // A manageRule is judged against the record as inserted, so manager-only values wait for the write.
  const deferManager = !superuser && mayHoldManageAccess(collection, info);
  const authIssues = await checkAuthBody(collection, applied, input, null, superuser || deferManager);
  // wire: PocketBase checks the auth form (password, confirmation, email, verified) first; the fields only once it passes
  if (Object.keys(authIssues).length > 0) throw new GalleyError('invalid', FAILED, { issues: authIssues });
  const managerOnly = deferManager ? findManagerOnlyChanges(collection, applied, null) : {};
  const names = collection.fields.map((f) => f.name);
  await validateFields(collection, applied.values, names, validateContext(core.db.read, schema, superuser, true), FAILED);
  const row = await buildRow(collection, applied.values, names);
  const scope = scopeOf(schema, collection, deriveRequest(info, { body: applied.ruleBody }), core.db.dialect);
  const rule = ruleClause(scope, 'createRule');

  const table = collection.name;
  const buildRuleCheck = (db: Kysely<any>, id: unknown) =>
    db.selectFrom(table).select(`${table}.id`).where(`${table}.id`, '=', id).where(rule!).compile();
  const ruleCheck = (db: Kysely<any>) =>
    isRuleRequestFree(scope, 'createRule')
      ? cachedQuery(schema, `create-rule|${collection.id}`, () => buildRuleCheck(db, PARAM_SLOT), [row['id']])
      : buildRuleCheck(db, row['id']);

  // Files first, durably; the row that names them commits after (a failed write removes them again).
  const uploads = await storeUploads(core, collection, String(row['id']), applied.values);
  const stored = await core.db.writer.run(async (tx) => {
    uploads.bind(tx);
    await assertAuthIdFree(tx.db, schema, collection, String(row['id']), FAILED);
    const inserted = await insertRecordRow(core, tx, collection, row, FAILED);
    // wire: the create rule is judged against the record as it would be stored; failing it undoes the insert.
    if (rule && (await tx.db.executeQuery(ruleCheck(tx.db))).rows.length === 0) throw new GalleyError('invalid', FAILED);
    if (Object.keys(managerOnly).length > 0 && !(await checkManageAccess(tx.db, scope, row['id']))) {
      throw new GalleyError('invalid', FAILED, { issues: managerOnly });
    }
    return inserted;
  }).catch((err: unknown) => {
    uploads.discard(); // the job may never have run (writer closing)
    throw err;
  });
  const [item] = await serializeRows(core, info, collection, [stored], query['expand'] ?? '');
  return item!;
}
