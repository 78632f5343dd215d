import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import { toCollectionJson } from '../schema/collection-json.ts';

/** wire: collection routes are for superusers: 401 for guests, 403 for other records. */
export function requireSuperuser(info: RequestInfo): void {
  if (!info.auth) throw new GalleyError('unauthorized', 'The request requires valid record authorization token.');
  if (!isSuperuser(info)) throw new GalleyError('forbidden', 'The authorized record is not allowed to perform this action.');
}

export function listCollectionsJson(core: Core, info: RequestInfo, query: Record<string, string>) {
  requireSuperuser(info);
  const all = core.schema.collections.map(toCollectionJson);
  const perPage = Math.min(Math.max(Number(query['perPage']) || 30, 1), 1000);
  const page = Math.max(Number(query['page']) || 1, 1);
  const skipTotal = ['1', 'true', 't', 'TRUE', 'True'].includes(query['skipTotal'] ?? '');
  return {
    page,
    perPage,
    totalItems: skipTotal ? -1 : all.length,
    totalPages: skipTotal ? -1 : Math.ceil(all.length / perPage),
    items: all.slice((page - 1) * perPage, page * perPage),
  };
}

export function viewCollectionJson(core: Core, info: RequestInfo, idOrName: string) {
  requireSuperuser(info);
  const c = core.schema.findCollection(idOrName);
  if (!c) throw new GalleyError('not_found', "The requested resource wasn't found.");
  return toCollectionJson(c);
}
