/**
 * `GET /`: says what this server is and where to go, instead of a bare 404 (Galley's addition; PocketBase
 * serves pb_public/ there). JSON for clients that ask for it, else a tiny HTML page. Static text only:
 * nothing from the request (no Host echo) and nothing from settings, so it leaks nothing.
 */
import { JSON_RESPONSE_HEADERS, SECURITY_HEADERS } from './cors.ts';

export const ROOT_INFO = {
  name: 'Galley',
  description: 'A PocketBase-compatible backend: REST API over SQLite, from a schema file.',
  api: '/api/',
  health: '/api/health',
  /** the dashboard (the binary embeds it; library mode: dashboardDir), or only the page that confirms auth mails' links */
  dashboard: '/_/',
} as const;

const ROOT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Galley</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>Galley</h1>
<p>${ROOT_INFO.description}</p>
<ul>
<li>REST API: <a href="/api/">/api/</a> (use the <code>pocketbase</code> JavaScript SDK with this address)</li>
<li>Health: <a href="/api/health">/api/health</a></li>
<li>Dashboard: <a href="/_/">/_/</a> (superusers sign in there)</li>
</ul>
</body></html>
`;

/** Prefers JSON when the client names application/json in Accept (the SDK, curl -H), else HTML. */
export function answerRootPage(request: Request): Response {
  const accept = request.headers.get('accept') ?? '';
  const wantsJson = /application\/json/i.test(accept) && !/text\/html/i.test(accept);
  if (wantsJson) return new Response(JSON.stringify(ROOT_INFO), { headers: { ...JSON_RESPONSE_HEADERS, Vary: 'Accept' } });
  return new Response(ROOT_HTML, {
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Access-Control-Allow-Origin': '*',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      Vary: 'Accept',
      ...SECURITY_HEADERS,
    },
  });
}
