/** wire: PocketBase's default CORS (any origin) and security headers, on every response. */
const ALLOW_METHODS = 'GET, HEAD, PUT, PATCH, POST, DELETE';

export const SECURITY_HEADERS: Record<string, string> = {
  'X-XSS-Protection': '1; mode=block',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'SAMEORIGIN',
};

export function isPreflight(request: Request): boolean {
  return request.method === 'OPTIONS' && request.headers.has('access-control-request-method');
}

export function preflightResponse(request: Request): Response {
  const headers = new Headers({
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': ALLOW_METHODS,
    Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  });
  const asked = request.headers.get('access-control-request-headers');
  if (asked) headers.set('Access-Control-Allow-Headers', asked);
  return new Response(null, { status: 204, headers });
}

export function withStandardHeaders(response: Response): Response {
  const h = response.headers;
  if (!h.has('Access-Control-Allow-Origin')) h.set('Access-Control-Allow-Origin', '*');
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!h.has(k)) h.set(k, v);
  return response;
}

/** Headers of every JSON answer, set once when the Response is built (mutating Headers later costs more). */
export const JSON_RESPONSE_HEADERS: Record<string, string> = {
  'Content-Type': 'application/json',
  'Access-Control-Allow-Origin': '*',
  ...SECURITY_HEADERS,
};
