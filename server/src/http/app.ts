import { Elysia } from 'elysia';
import { adminRoutes } from '../admin/routes.ts';
import { galleyCollectionRoutes } from '../admin/collections-plan-routes.ts';
import { dashboardRoutes } from '../admin/dashboard-routes.ts';
import { settingsRoutes } from '../admin/settings-routes.ts';
import { authRoutes } from '../auth/routes.ts';
import { oauth2Routes } from '../auth/oauth2/routes.ts';
import { batchRoutes } from '../batch/routes.ts';
import type { Core } from '../core.ts';
import { cronRoutes } from '../cron/routes.ts';
import { backupRoutes } from '../backups/routes.ts';
import { GalleyError } from '../errors.ts';
import { fileRoutes } from '../files/routes.ts';
import { logRoutes } from '../logs/routes.ts';
import { recordRoutes } from '../records/routes.ts';
import { realtimeRoutes } from '../realtime/routes.ts';
import { sendToClient } from '../realtime/broker.ts';
import type { BuiltinRoute } from '../hooks/router-hook-points.ts';
import { answerCustomRoute } from './custom-routes.ts';
import { peerAddressOf, rememberPeerAddress, resolveClientIpFrom } from './client-ip.ts';
import { isPreflight, preflightResponse, withStandardHeaders } from './cors.ts';
import { errorResponse } from './errors.ts';
import { createFastReads } from './fast-reads.ts';
import { isPrivateExchange, withNoStore } from './no-store.ts';
import { repairPathEscapes } from './path-escapes.ts';
import { isRespondAnswer } from './route-kit.ts';
import { answerRootPage } from './root-page.ts';

/**
 * The whole route table. Elysia routes; every handler goes through http/route-kit's `respond`, so the
 * error shape, `fields` projection and auth resolution are the same on every path.
 */
export function createApp(core: Core) {
  const notFound = () =>
    errorResponse(new GalleyError('not_found', "The requested resource wasn't found."), core.log);
  return (
    new Elysia({ name: 'galley' })
      .use(adminRoutes(core))
      .use(galleyCollectionRoutes(core))
      .use(settingsRoutes(core))
      .use(logRoutes(core))
      .use(cronRoutes(core))
      .use(backupRoutes(core))
      .use(authRoutes(core))
      .use(oauth2Routes(core, sendToClient))
      .use(recordRoutes(core))
      .use(fileRoutes(core))
      .use(batchRoutes(core))
      .use(realtimeRoutes(core))
      .use(dashboardRoutes(core))
      .get('/', ({ request }) => answerRootPage(request))
      // wire: unknown paths, and known paths with another method, are PocketBase's 404 (after the hooks file's routes).
      .all('*', async ({ request }) => (await answerCustomRoute(core, request)) ?? notFound())
  );
}

export type GalleyApp = ReturnType<typeof createApp>;

/** The built-in routes as the router lists them (`:name`, a last `*`): what a hooks file's routes may not clash with. */
export function listBuiltinRoutes(core: Core): BuiltinRoute[] {
  return createApp(core).routes.map((r) => ({ method: r.method, path: r.path }));
}

/**
 * Elysia finds the path with `url.indexOf('/', 11)`, which misroutes a host shorter than four characters
 * with no port (`Host: api` behind a proxy). Such requests get a longer stand-in host; nothing reads it.
 */
function withRoutableUrl(request: Request): Request {
  const url = request.url;
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  if (pathStart >= 11 || pathStart < 0) return request;
  return new Request('http://localhost' + url.slice(pathStart), request);
}

/** Queue the request's log entry (logs/): written in the next batch, off the request path. */
function logAnsweredRequest(core: Core, request: Request, status: number, execTime: number): void {
  const settings = core.settings.current();
  if (!settings.logs.logIP) core.logs.writeRequest(request, status, execTime);
  else {
    const peer = peerAddressOf(request);
    core.logs.writeRequest(request, status, execTime, resolveClientIpFrom(request, peer, settings.trustedProxy), peer);
  }
}

/**
 * Who sent a request, as the socket layer saw it (no socket: leave it out; rate limits then skip it). Read only
 * while the request is being answered, and only if something needs it (the listener's is a getter: a getpeername).
 */
export interface PeerInfo {
  readonly remoteAddress?: string;
}

/** What the fetch handler needs of the router (a test may count its calls). */
export type RouterApp = Pick<GalleyApp, 'fetch' | 'routes'>;

export interface FetchHandlerOptions {
  /** answer the hot record reads without the router (http/fast-reads.ts); default true, false for parity tests */
  fastReads?: boolean;
}

/** The fetch handler in front of the router: CORS preflight, standard headers, nothing thrown past it. */
export function createFetchHandler(core: Core, app: RouterApp, options: FetchHandlerOptions = {}): (request: Request, peer?: PeerInfo) => Promise<Response> {
  // Requests are logged at debug (GALLEY_LOG_LEVEL=debug); 5xx answers always, at warn.
  const logEach = core.config.logLevel === 'debug';
  const fastReads = options.fastReads === false ? undefined : createFastReads(core, app.routes);
  return async (incoming, peer) => {
    const started = performance.now();
    const routable = repairPathEscapes(withRoutableUrl(incoming));
    if (routable === 'malformed') {
      // bad input, not a fault: one debug line, no stack (wire: Go refuses such a request line with 400)
      core.log.debug('malformed percent-escape in the path', { path: new URL(incoming.url).pathname.slice(0, 200) });
      return errorResponse(new GalleyError('invalid', 'Something went wrong while processing your request.'), core.log);
    }
    const request = routable;
    rememberPeerAddress(request, peer);
    if (isPreflight(request)) return withStandardHeaders(preflightResponse(request));
    let response: Response;
    let recordsRead = false;
    try {
      const fast = fastReads?.(request);
      recordsRead = fast !== undefined;
      // fetch rather than handle: handle is an async wrapper around it (a promise more per request); a throw is caught alike
      response = await (fast ?? app.fetch(request));
    } catch (err) {
      response = errorResponse(err, core.log);
    }
    if (response.status >= 500 || logEach) {
      const line = `${request.method} ${new URL(request.url).pathname} → ${response.status}`;
      if (response.status >= 500) core.log.warn(line);
      else core.log.debug(line, { ms: Math.round((performance.now() - started) * 10) / 10 });
    }
    if (core.logs.isEnabled()) logAnsweredRequest(core, request, response.status, performance.now() - started);
    if (isPrivateExchange(request, recordsRead)) response = withNoStore(response);
    // Our own answers carry the standard headers already; only foreign ones (Elysia's) need them added.
    return isRespondAnswer(response) || response.headers.has('X-Content-Type-Options') ? response : withStandardHeaders(response);
  };
}
