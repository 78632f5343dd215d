/** Who may call an auth route: PocketBase's require-auth middlewares as plain checks. */
import { GalleyError } from '../errors.ts';
import { isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel, Schema } from '../schema/model.ts';

/** wire: 401 without a token, 403 with a token of another collection; answers the caller's stored row. */
export function requireCollectionAuth(info: RequestInfo, collection: CollectionModel): Record<string, unknown> {
  if (!info.auth) throw new GalleyError('unauthorized', 'The request requires valid record authorization token.');
  if (info.auth.collection.id !== collection.id) {
    throw new GalleyError('forbidden', `The request requires auth record from ${info.auth.collection.name} collection.`);
  }
  return info.auth.record;
}

/** wire: 401 without a token, 403 for a record that is not a superuser. */
export function requireSuperuserAuth(info: RequestInfo): void {
  if (!info.auth) throw new GalleyError('unauthorized', 'The request requires valid record authorization token.');
  if (!isSuperuser(info)) throw new GalleyError('forbidden', 'The authorized record is not allowed to perform this action.');
}

/**
 * wire: PocketBase's RequireSameCollectionContextAuth, run before the route looks at its collection: 401 without
 * a token, 403 when the path's collection (by name or id; unknown or not an auth collection) is not the token's.
 */
export function requireSameCollectionContext(schema: Schema, info: RequestInfo, idOrName: string): void {
  if (!info.auth) throw new GalleyError('unauthorized', 'The request requires valid record authorization token.');
  const collection = schema.findCollection(idOrName);
  if (!collection || collection.id !== info.auth.collection.id) {
    throw new GalleyError('forbidden', `The request requires auth record from ${info.auth.collection.name} collection.`);
  }
}
