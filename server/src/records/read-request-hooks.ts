/**
 * onRecordViewRequest / onRecordListRequest: the records API's reads run them once the answer is built and
 * before it is sent (PocketBase's order), so a hook sees the records as the client would, may change them
 * (`e.record.set`), answer itself or throw. Only the routes call these: app.findRecordById and exports do not.
 */
import type { Core } from '../core.ts';
import { NO_RECORD_HOOKS } from '../hooks/record-hook-points.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { findCollectionOr404 } from './access.ts';
import type { ListResult } from './list.ts';

/** Whether a hooks file is loaded with record hooks: without one a read need not call the two below (an async frame each). */
export function hasRecordRequestHooks(core: Core): boolean {
  return core.hooks.recordHooks !== NO_RECORD_HOOKS;
}

export async function runViewRequestHooks(core: Core, info: RequestInfo, collectionIdOrName: string, item: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (core.hooks.recordHooks === NO_RECORD_HOOKS) return item; // no hooks file: the read path stays as it was
  const collection = findCollectionOr404(core.schema, collectionIdOrName);
  await core.hooks.recordHooks.request({ action: 'view', collection, id: String(item['id']), input: item, auth: info.auth?.record ?? null });
  return item;
}

export async function runListRequestHooks(core: Core, info: RequestInfo, collectionIdOrName: string, result: ListResult): Promise<ListResult> {
  if (core.hooks.recordHooks === NO_RECORD_HOOKS) return result;
  const collection = findCollectionOr404(core.schema, collectionIdOrName);
  await core.hooks.recordHooks.request({
    action: 'list',
    collection,
    records: result.items,
    result: result as unknown as Record<string, unknown>,
    auth: info.auth?.record ?? null,
  });
  return result;
}
