/**
 * Which answers no cache may keep (`Cache-Control: no-store`): those that carry a credential or what only the
 * caller may see. Decided from the request alone, in one place for every route (PocketBase sets nothing):
 * - a request with an Authorization header (its answer is the caller's view; a bad token's is harmless to mark);
 * - the auth flows (`/api/collections/{c}/auth-with-*`, `auth-refresh`, `request-otp`, `impersonate/{id}`, …:
 *   everything under a collection but its records), whose answers hold tokens, OTP and MFA ids;
 * - the settings API and the OAuth2 redirect;
 * - a file download with a file token in its URL (a protected file: its 30-day public cache header is replaced).
 */

const AUTH_FLOW = /^\/api\/collections\/[^/]+\/(?!records(?:\/|$))/;
const ALWAYS = /^\/api\/(?:settings(?:\/|$)|oauth2-redirect$)/;
const FILE = /^\/api\/files\/[^/]+\/[^/]+\/[^/]+$/;

/** `recordsRead`: the request is a records list or view (http/fast-reads.ts matched it), which no path rule below takes. */
export function isPrivateExchange(request: Request, recordsRead = false): boolean {
  if (request.headers.get('authorization')) return true;
  if (recordsRead) return false;
  // the path without parsing the URL (this runs for every request)
  const url = request.url;
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const queryAt = url.indexOf('?', start);
  const path = start < 0 ? '/' : queryAt < 0 ? url.slice(start) : url.slice(start, queryAt);
  if (AUTH_FLOW.test(path) || ALWAYS.test(path)) return true;
  return queryAt >= 0 && FILE.test(path) && (new URLSearchParams(url.slice(queryAt + 1)).get('token') ?? '') !== '';
}

/** `response` with `Cache-Control: no-store` (a copy when its headers are immutable, as a fetched response's are). */
export function withNoStore(response: Response): Response {
  try {
    response.headers.set('Cache-Control', 'no-store');
    return response;
  } catch {
    const headers = new Headers(response.headers);
    headers.set('Cache-Control', 'no-store');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}
