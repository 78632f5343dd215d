/**
 * `app.routerAdd(method, path, handler, ...middlewares)`, `app.routerUse(middleware)` and PocketBase's middleware
 * helpers (`app.requireAuth(...collections)`, `app.requireSuperuserAuth()`, `app.requireGuestOnly()`). Each load
 * of the hooks file builds its own route table (hooks/router-hook-points.ts): a route that clashes with a
 * built-in one fails the load with a message naming both. Handlers and middlewares get PocketBase's request
 * event: `e.request.pathValue('name')`, `e.auth`, `e.json(status, body)` (also `e.string`, `e.html`,
 * `e.noContent`, `e.redirect`, or return a Response), `await e.requestInfo()`, `e.realIP()`, `await e.next()`.
 * `routerUse` middlewares wrap the hooks file's routes (built-in routes keep their own chain).
 */
import { listBuiltinRoutes } from '../http/app.ts';
import { GalleyError } from '../errors.ts';
import type { HookHandler } from '../hooks/hook-chain.ts';
import type { ServeHookEvent } from '../hooks/lifecycle-hook-points.ts';
import { toHookFailure } from '../hooks/hook-errors.ts';
import { createHookRecord, type HookRecord } from '../hooks/hook-record.ts';
import {
  bindCustomRoutes, buildCustomRouteTable, NO_CUSTOM_ROUTES, type BuiltinRoute, type CustomRouteAnswer, type CustomRouteRequest,
  type CustomRouteSpec, type CustomRouteTable,
} from '../hooks/router-hook-points.ts';
import type { CollectionModel } from '../schema/model.ts';
import type { AppPart } from './hooks-app.ts';

/** `e.request`: the request, with PocketBase's `pathValue(name)` for the `{name}` parts of the route's path. */
export type RouteRequest = Request & { pathValue(name: string): string };

/** What `e.requestInfo()` answers, as PocketBase's RequestInfo. */
export interface RouteRequestInfo {
  auth: HookRecord | null;
  method: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** `e` of a custom route's handler and middlewares. */
export interface RouteEvent {
  request: RouteRequest;
  /** the signed-in record (from the Authorization token), or null for a guest */
  auth: HookRecord | null;
  /** Run the next middleware, then the handler. */
  next(): Promise<void>;
  json(status: number, body: unknown): void;
  string(status: number, text: string): void;
  html(status: number, html: string): void;
  noContent(status?: number): void;
  redirect(status: number, url: string): void;
  /** the query, headers (snake_cased names) and parsed body (JSON, form or multipart values) */
  requestInfo(): Promise<RouteRequestInfo>;
  /** the client's IP (the socket's, or a trusted proxy's header) */
  realIP(): string;
  hasSuperuserAuth(): boolean;
}

export type RouteHandler = (e: RouteEvent) => unknown;

declare module './hooks-app.ts' {
  interface HooksApp {
    routerAdd(method: string, path: string, handler: RouteHandler, ...middlewares: RouteHandler[]): void;
    routerUse(middleware: RouteHandler): void;
    /** wire: PocketBase's apis.RequireAuth: 401 for a guest, 403 for a record of another collection than those named */
    requireAuth(...collections: string[]): RouteHandler;
    /** wire: PocketBase's apis.RequireSuperuserAuth */
    requireSuperuserAuth(): RouteHandler;
    /** wire: PocketBase's apis.RequireGuestOnly: 400 for a signed-in caller */
    requireGuestOnly(): RouteHandler;
    /** When the server starts listening (after onBootstrap): `e.server.url`, `e.router.add(…)` as routerAdd; `await e.next()`. */
    onServe(handler: HookHandler<ServeHookEvent>): void;
  }
}

const SUPERUSERS = '_superusers';

function textResponse(status: number, body: string, type: string): Response {
  return new Response(body, { status, headers: { 'content-type': type } });
}

const BODY_READERS = new Set(['json', 'text', 'arrayBuffer', 'blob', 'formData', 'bytes']);

/** `body`'s bytes, failing with a 413 once more than `limit` have come. */
function limitStream(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) controller.error(new GalleyError('too_large', 'Request entity too large.'));
        else controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * `e.request` as the hooks file sees it: the request, except that reading its body (`json()`, `text()`, `body`, …)
 * goes through the same byte limit as a built-in route's body. The listener's own cap is as large as a backup upload
 * may be, so a handler reading the raw body itself would otherwise be bounded by that alone. Lazy: nothing is read
 * or locked until the handler reads (e.requestInfo() reads the body its own way, within the limit).
 */
function limitedRequest(raw: Request, limit: number): Request {
  return new Proxy(raw, {
    get(target, prop) {
      if (prop === 'body') return target.body ? limitStream(target.body, limit) : null;
      if (typeof prop === 'string' && BODY_READERS.has(prop)) {
        return () => {
          const declared = Number(target.headers.get('content-length') ?? Number.NaN);
          if (Number.isFinite(declared) && declared > limit) return Promise.reject(new GalleyError('too_large', 'Request entity too large.'));
          const limited = new Response(target.body ? limitStream(target.body, limit) : null, { headers: target.headers });
          return (limited as unknown as Record<string, () => Promise<unknown>>)[prop]!();
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Build `e` for one request and run `chain` (middlewares then the handler) on it; the answer they gave. */
async function runRouteChain(req: CustomRouteRequest, params: Readonly<Record<string, string>>, chain: readonly RouteHandler[], log: Parameters<typeof toHookFailure>[2], maxBodySize: number): Promise<CustomRouteAnswer> {
  let answer: CustomRouteAnswer | undefined;
  const info = req.info;
  const auth = info.auth ? createHookRecord(info.auth.collection as CollectionModel, { ...info.auth.record }, 'storage') : null;
  const request = limitedRequest(req.raw, maxBodySize) as RouteRequest;
  // wire: PocketBase's e.request.pathValue(name): '' for a name the route does not have
  Object.defineProperty(request, 'pathValue', { value: (name: string) => params[name] ?? '', configurable: true });
  const set = (a: CustomRouteAnswer) => void (answer = a);
  let index = 0;
  const e: RouteEvent = {
    request,
    auth,
    next: async () => {
      const handler = chain[index++];
      if (!handler) return;
      const out = await handler(e);
      if (out instanceof Response) set({ response: out });
    },
    // the `fields` projection walks plain data: a record in the body is made plain first
    json: (status, body) => set({ json: req.query['fields'] ? JSON.parse(JSON.stringify(body ?? null)) : body, status }),
    string: (status, text) => set({ response: textResponse(status, String(text), 'text/plain; charset=utf-8') }),
    html: (status, html) => set({ response: textResponse(status, String(html), 'text/html; charset=utf-8') }),
    noContent: (status = 204) => set({ response: new Response(null, { status }) }),
    redirect: (status, url) => set({ response: new Response(null, { status, headers: { location: url } }) }),
    requestInfo: async () => ({ auth, method: info.method, query: req.query, headers: info.headers, body: (await req.body()).values }),
    realIP: () => req.ip,
    hasSuperuserAuth: () => info.auth?.collection.name === SUPERUSERS,
  };
  try {
    await e.next();
  } catch (err) {
    throw toHookFailure(err, `route ${req.raw.method} ${new URL(req.raw.url).pathname}`, log);
  }
  // wire: a handler that wrote nothing answers an empty 200, as Go's net/http does
  return answer ?? { response: new Response(null, { status: 200 }) };
}

export const routerPart: AppPart = ({ core, registry }) => {
  const specs: CustomRouteSpec[] = [];
  const global: RouteHandler[] = [];
  let table: CustomRouteTable = NO_CUSTOM_ROUTES;
  let builtins: BuiltinRoute[] | undefined;
  const part = {
    routerAdd(method: string, path: string, handler: RouteHandler, ...middlewares: RouteHandler[]) {
      for (const fn of [handler, ...middlewares]) if (typeof fn !== 'function') throw new TypeError(`routerAdd(${JSON.stringify(method)}, ${JSON.stringify(path)}): handlers and middlewares must be functions`);
      const own = [...middlewares, handler];
      // global middlewares are read at each request: routerUse may come after routerAdd, as in PocketBase
      const spec: CustomRouteSpec = { method, path, handler: (req, params) => runRouteChain(req, params, [...global, ...own], core.log, core.config.maxBodySize) };
      builtins ??= listBuiltinRoutes(core);
      table = buildCustomRouteTable([...specs, spec], builtins);
      if (specs.length === 0) bindCustomRoutes(registry, () => table);
      specs.push(spec);
    },
    routerUse(middleware: RouteHandler) {
      if (typeof middleware !== 'function') throw new TypeError('routerUse: the middleware must be a function');
      global.push(middleware);
    },
    requireAuth: (...collections: string[]): RouteHandler => (e) => {
      if (!e.auth) throw new GalleyError('unauthorized', 'The request requires valid record authorization token.');
      const name = e.auth.collection().name;
      if (collections.length > 0 && !collections.includes(name)) throw new GalleyError('forbidden', 'The authorized record is not allowed to perform this action.');
      return e.next();
    },
    requireSuperuserAuth: (): RouteHandler => (e) => {
      if (!e.auth) throw new GalleyError('unauthorized', 'The request requires valid record authorization token.');
      if (!e.hasSuperuserAuth()) throw new GalleyError('forbidden', 'The authorized record is not allowed to perform this action.');
      return e.next();
    },
    requireGuestOnly: (): RouteHandler => (e) => {
      if (e.auth) throw new GalleyError('invalid', 'The request can be accessed only by guests.');
      return e.next();
    },
    onServe(handler: HookHandler<ServeHookEvent>) {
      if (typeof handler !== 'function') throw new TypeError('onServe: the handler must be a function');
      registry.chain('onServe').bind((e) => {
        e.router = { add: part.routerAdd, use: part.routerUse };
        return handler(e);
      });
    },
  };
  return part;
};
