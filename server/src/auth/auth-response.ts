import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { MAX_EXPANDED_RECORDS } from '../query/limits.ts';
import { expandRecords } from '../records/expand.ts';
import { countExpandedRecords } from '../records/expand-size.ts';
import { scopeOf } from '../records/access.ts';
import { serializeRecord } from '../records/serialize.ts';
import { compileRuleWhere } from '../rules/compile-rule.ts';
import { deriveRequest, isSuperuser, SUPERUSERS, type RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel } from '../schema/model.ts';
import { runAuthRequestHooks } from '../hooks/record-hook-registry.ts';
import { signRecordToken } from './tokens.ts';

export interface AuthResponse {
  token: string;
  record: Record<string, unknown>;
  meta?: Record<string, unknown>;
}

/**
 * wire: the collection's authRule decides who may receive a token at all (null: nobody but superusers); a
 * superuser's request (impersonation) passes, as PocketBase's CanAccessRecord lets superusers through.
 */
export async function checkAuthRule(core: Core, info: RequestInfo, collection: CollectionModel, id: string): Promise<void> {
  if (isSuperuser(info)) return;
  const rule = compileRuleWhere(scopeOf(core.schema, collection, info, core.db.dialect), collection.auth?.authRule ?? '');
  if (rule === 'allow') return;
  let allowed = false;
  if (rule !== 'deny') {
    const row = await core.db.read
      .selectFrom(collection.name)
      .select(`${collection.name}.id`)
      .where(`${collection.name}.id`, '=', id)
      .where(rule)
      .executeTakeFirst();
    allowed = row !== undefined;
  }
  if (!allowed) {
    throw new GalleyError('forbidden', "The request doesn't satisfy the collection requirements to authenticate.");
  }
}

/** `{token, record}` with the email always present (wire: auth responses show it), `expand` honoured. */
export async function buildAuthResponse(
  core: Core,
  info: RequestInfo,
  collection: CollectionModel,
  row: Record<string, unknown>,
  opts: { token?: string; refreshable?: boolean; duration?: number; meta?: Record<string, unknown>; authRuleChecked?: boolean } = {},
): Promise<AuthResponse> {
  // MFA logins (auth/mfa.ts) check the rule before the challenge, as PocketBase does, and not twice.
  if (!opts.authRuleChecked) await checkAuthRule(core, info, collection, String(row['id']));
  const duration = opts.duration ?? collection.auth?.authToken.duration ?? 432000;
  const token = opts.token ?? (await signRecordToken(core, collection, row, 'auth', duration, { refreshable: opts.refreshable ?? true }));
  const isSuper = collection.name === SUPERUSERS;
  const record = serializeRecord(collection, row, { superuser: isSuper, authId: String(row['id']), authCollectionId: collection.id, showEmail: true });
  const expand = info.query['expand'];
  const self = deriveRequest(info, { auth: { collection, record: row } });
  if (expand) {
    await expandRecords(core, core.db.read, self, collection, [row], [record], expand);
    // as after a write: an expand too large to send is left out (records/expand-size.ts)
    if (countExpandedRecords([record]) > MAX_EXPANDED_RECORDS) delete record['expand'];
  }
  // the hooks file's onRecordAuthRequest (hooks/record-hook-registry.ts): may change the record, token or meta, or refuse
  const answered = await runAuthRequestHooks(core.hooks.registry, core.log, { collection, record, token, meta: opts.meta, auth: info.auth?.record ?? null });
  return answered.meta ? { token: answered.token, record, meta: answered.meta } : { token: answered.token, record };
}
