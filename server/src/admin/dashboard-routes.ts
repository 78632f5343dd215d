import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { notFound } from '../errors.ts';
import { json, respond } from '../http/route-kit.ts';
import { AUTH_PAGE_HTML } from './auth-pages/page-html.ts';
import { AUTH_PAGE_SCRIPT } from './auth-pages/page-script.ts';
import { AUTH_PAGE_ICON, AUTH_PAGE_STYLE } from './auth-pages/page-style.ts';
import { listDashboardDir, loadDashboardAssets, pickEncoding, type DashboardAssets } from './dashboard-assets.ts';
import { installFirstSuperuser } from './installer.ts';

/**
 * `/_/`: the dashboard (admin-ui's build, from `dashboardFiles` embedded in the binary or `dashboardDir`), and
 * the small page that confirms the links PocketBase's mail templates point at (`/_/#/auth/confirm-…/{TOKEN}`):
 * at `/_/` itself while no dashboard is given, and always at `/_/auth.html` (the dashboard forwards `#/auth/…` there).
 * Strict CSP: only this origin's scripts and styles, no inline ones, requests to this origin only, no framing by others.
 */
const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; object-src 'none'";
/** the dashboard also shows uploaded images (blob: previews, data: icons); everything else stays on this origin */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'self'; object-src 'none'";

const YEAR_IMMUTABLE = 'public, max-age=31536000, immutable';

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

function readDashboard(core: Core): DashboardAssets | undefined {
  const { dashboardFiles, dashboardDir } = core.config;
  if (dashboardFiles) return loadDashboardAssets(dashboardFiles);
  if (dashboardDir) return loadDashboardAssets(listDashboardDir(dashboardDir));
  return undefined;
}

function serveDashboardFile(core: Core, assets: DashboardAssets | undefined, path: string, request: Request): Response | Promise<Response> {
  const asset = assets?.get(path);
  // wire: PocketBase's JSON 404, with the usual error shape
  if (!asset) return respond(core, request, async () => { throw notFound(); });
  const { body, encoding } = pickEncoding(asset, request.headers.get('accept-encoding'));
  const headers: Record<string, string> = {
    'Content-Type': asset.contentType,
    'Content-Security-Policy': DASHBOARD_CSP,
    'Referrer-Policy': 'no-referrer',
    // index.html names the hashed files of this build: always revalidated; hashed files never change
    'Cache-Control': asset.immutable ? YEAR_IMMUTABLE : 'no-cache',
    'X-Robots-Tag': 'noindex, nofollow',
  };
  if (asset.gzip || asset.brotli) headers['Vary'] = 'Accept-Encoding';
  if (encoding) headers['Content-Encoding'] = encoding;
  return new Response(body, { headers });
}

export function dashboardRoutes(core: Core) {
  const assets = readDashboard(core);
  const authPage = () => serveAsset(AUTH_PAGE_HTML, 'text/html; charset=utf-8');
  const index = (request: Request) => (assets ? serveDashboardFile(core, assets, 'index.html', request) : authPage());
  return (
    new Elysia({ name: 'galley-dashboard' })
      // Elysia routes /_ and /_/ alike; /_ must redirect, or the page's relative asset links would miss /_/
      .get('/_/', ({ request }) => (new URL(request.url).pathname.endsWith('/') ? index(request) : new Response(null, { status: 301, headers: { Location: '_/' } })))
      .get('/_/index.html', ({ request }) => index(request))
      .get('/_/auth.html', authPage)
      .get('/_/assets/auth-pages.js', () => serveAsset(AUTH_PAGE_SCRIPT, 'text/javascript; charset=utf-8'))
      .get('/_/assets/auth-pages.css', () => serveAsset(AUTH_PAGE_STYLE, 'text/css; charset=utf-8'))
      .get('/_/assets/favicon.svg', () => serveAsset(AUTH_PAGE_ICON, 'image/svg+xml'))
      .get('/_/*', ({ request, params }) => serveDashboardFile(core, assets, decodeURIComponent(params['*']), request))
      .post('/api/galley/installer', ({ request }) =>
        respond(core, request, async (req) => {
          const body = await req.body();
          return json(await installFirstSuperuser(core, core.installer, body.values));
        }),
      )
  );
}
