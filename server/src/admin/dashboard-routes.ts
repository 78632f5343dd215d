import { Elysia } from 'elysia';
import { AUTH_PAGE_HTML } from './auth-pages/page-html.ts';
import { AUTH_PAGE_SCRIPT } from './auth-pages/page-script.ts';
import { AUTH_PAGE_ICON, AUTH_PAGE_STYLE } from './auth-pages/page-style.ts';

/**
 * `/_/`: where PocketBase's dashboard lives and where its mail templates link (`/_/#/auth/confirm-…/{TOKEN}`).
 * Until the dashboard is built, a small page that confirms those links. Strict CSP: the page runs only its own
 * script and stylesheet, talks only to this origin, and no other site may frame it.
 */
const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; object-src 'none'";

function serveAsset(body: string, contentType: string): Response {
  return new Response(body, {
    headers: {
      'Content-Type': contentType,
      'Content-Security-Policy': PAGE_CSP,
      // the token sits in the URL's fragment; no page asset should carry the URL anywhere
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    },
  });
}

export function dashboardRoutes() {
  const page = () => serveAsset(AUTH_PAGE_HTML, 'text/html; charset=utf-8');
  return new Elysia({ name: 'galley-dashboard' })
    // Elysia routes /_ and /_/ alike; /_ must redirect, or the page's relative asset links would miss /_/
    .get('/_/', ({ request }) => (new URL(request.url).pathname.endsWith('/') ? page() : new Response(null, { status: 301, headers: { Location: '_/' } })))
    .get('/_/index.html', page)
    .get('/_/assets/auth-pages.js', () => serveAsset(AUTH_PAGE_SCRIPT, 'text/javascript; charset=utf-8'))
    .get('/_/assets/auth-pages.css', () => serveAsset(AUTH_PAGE_STYLE, 'text/css; charset=utf-8'))
    .get('/_/assets/favicon.svg', () => serveAsset(AUTH_PAGE_ICON, 'image/svg+xml'));
}
