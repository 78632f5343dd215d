import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { buildAuthResponse, type AuthResponse } from './auth-response.ts';
import { tokenFromHeader } from './authenticate.ts';
import { findAuthCollection } from './password-auth.ts';
import { peekTokenClaims } from './tokens.ts';

/** wire: a non-refreshable token (impersonation) comes back unchanged; another collection's token is a 403. */
export async function refreshAuth(core: Core, info: RequestInfo, collectionIdOrName: string, authorization: string | null): Promise<AuthResponse> {
  const collection = findAuthCollection(core, collectionIdOrName);
  if (!info.auth) throw new GalleyError('unauthorized', 'The request requires valid record authorization token.');
  if (info.auth.collection.id !== collection.id) {
    throw new GalleyError('forbidden', 'The authorized record is not allowed to perform this action.');
  }
  const token = tokenFromHeader(authorization)!;
  const claims = peekTokenClaims(token);
  const keep = claims?.refreshable === false ? token : undefined;
  return buildAuthResponse(core, info, collection, info.auth.record, keep ? { token: keep } : {});
}
