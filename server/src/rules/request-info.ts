import type { CollectionModel } from '../schema/model.ts';

/** The authenticated caller: the auth record's stored row and its collection. */
export interface AuthInfo {
  collection: CollectionModel;
  /** The auth record as stored (column values, not wire values). */
  record: Record<string, unknown>;
  /**
   * `@request.auth.<field>` beyond the plain fields is read from `record` rather than joined from the table:
   * realtime judges an event with the auth as of that event (an update of the record applied in commit order),
   * not as the table is when the check runs.
   */
  fromRecord?: boolean;
}

export type RequestContextName =
  | 'default'
  | 'oauth2'
  | 'otp'
  | 'password'
  | 'realtime'
  | 'protectedFile'
  | 'batch'
  | 'expand';

/** What rules can see of a request: `@request.auth.*`, `.body.*`, `.query.*`, `.headers.*`, `.method`, `.context`. */
export interface RequestInfo {
  auth: AuthInfo | null;
  method: string;
  /** first value of each query parameter */
  query: Record<string, string>;
  /** wire: header names snake_cased and lower-cased (`X-Token` → `x_token`) */
  headers: Record<string, string>;
  /** the resolved body (after modifiers), as the rules see it */
  body: Record<string, unknown>;
  context: RequestContextName;
}

export const SUPERUSERS = '_superusers';

export function isSuperuser(info: RequestInfo | null | undefined): boolean {
  return info?.auth?.collection.name === SUPERUSERS;
}

export function guestRequest(method = 'GET'): RequestInfo {
  return { auth: null, method, query: {}, headers: {}, body: {}, context: 'default' };
}

export function superuserRequest(superusers: CollectionModel, method = 'GET'): RequestInfo {
  return { auth: { collection: superusers, record: { id: '' } }, method, query: {}, headers: {}, body: {}, context: 'default' };
}

/** The same request seen with some keys replaced (body, context), without copying lazily built parts. */
export function deriveRequest(info: RequestInfo, patch: Partial<RequestInfo>): RequestInfo {
  return Object.assign(Object.create(info) as RequestInfo, patch);
}
