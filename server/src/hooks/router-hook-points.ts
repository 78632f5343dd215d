/**
 * The seam where the hooks file's routes plug in (PocketBase's routerAdd / routerUse). A load of the hooks file
 * builds its route table with `buildCustomRouteTable` (which refuses a route that clashes with a built-in one or
 * another custom one, so the load fails with that message) and binds it to its registry's `routerAdd` chain
 * (`bindCustomRoutes`). The HTTP layer asks the current registry (`findCustomRoute`), so swapping the registry
 * swaps the whole table at once: a request sees the old routes or the new ones, never a mix. Built-in routes are
 * matched first (http/app.ts): only a path none of them takes gets here, and without custom routes that is one
 * map lookup before the 404.
 */
import type { HookEvent } from './hook-chain.ts';
import type { HooksRegistry } from './hooks-registry.ts';
import {
  compareRouteSpecificity, matchRoutePattern, parseElysiaPattern, parseRoutePattern, patternCovers, patternsOverlap, type RoutePattern,
} from './route-pattern.ts';

/** What a custom route's handler is given by the HTTP layer (structurally http/route-kit's HttpRequest). */
export interface CustomRouteRequest {
  readonly raw: Request;
  readonly url: URL;
  readonly query: Record<string, string>;
  readonly ip: string;
  readonly info: {
    auth: { collection: { id: string; name: string }; record: Record<string, unknown> } | null;
    method: string;
    headers: Record<string, string>;
  };
  body(): Promise<{ values: Record<string, unknown>; files: Record<string, File[]> }>;
}

/** A JSON answer (the `fields` projection applies, as PocketBase's e.json), or a Response sent as it is. */
export type CustomRouteAnswer = { json: unknown; status: number } | { response: Response };

export type CustomRouteHandler = (req: CustomRouteRequest, params: Readonly<Record<string, string>>) => Promise<CustomRouteAnswer>;

export interface CustomRouteSpec {
  method: string;
  /** PocketBase's pattern: `/api/hello/{name}`, a last `{path...}` */
  path: string;
  handler: CustomRouteHandler;
}

export interface CustomRoute {
  readonly pattern: RoutePattern;
  readonly handler: CustomRouteHandler;
}

export interface CustomRouteTable {
  readonly routes: readonly CustomRoute[];
  /** The route for a request (path already percent-decoded per segment), with its path values. */
  find(method: string, pathname: string): { route: CustomRoute; params: Record<string, string> } | undefined;
}

export const NO_CUSTOM_ROUTES: CustomRouteTable = { routes: [], find: () => undefined };

/** A built-in route as the router lists it (Elysia's `:name` / `*` form). */
export interface BuiltinRoute {
  method: string;
  path: string;
}

function decodeSegments(pathname: string): string[] | undefined {
  try {
    return (pathname === '/' ? [] : pathname.slice(1).split('/')).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/**
 * The table for `specs`, most specific route first. Throws an Error naming the route when its path does not
 * parse, when a built-in route (other than the catch-all) would answer some of its requests (a route ending in
 * `{name...}` is a fallback: refused only when a built-in takes all of its requests), or when two custom routes
 * are the same.
 */
export function buildCustomRouteTable(specs: readonly CustomRouteSpec[], builtins: readonly BuiltinRoute[]): CustomRouteTable {
  const builtinPatterns = builtins.filter((b) => b.path !== '/*' && b.path !== '*').map((b) => parseElysiaPattern(b.method, b.path));
  const routes: CustomRoute[] = [];
  for (const spec of specs) {
    let pattern: RoutePattern;
    try {
      pattern = parseRoutePattern(spec.method, spec.path);
    } catch (err) {
      throw new Error(`routerAdd(${JSON.stringify(spec.method)}, ${JSON.stringify(spec.path)}): ${(err as Error).message}`);
    }
    const name = `${pattern.method} ${pattern.path}`;
    if (typeof spec.handler !== 'function') throw new Error(`routerAdd ${name}: the handler must be a function`);
    const clash = builtinPatterns.find((b) => (pattern.rest === null ? patternsOverlap(b, pattern) : patternCovers(b, pattern)));
    if (clash) {
      throw new Error(`routerAdd ${name} clashes with the built-in route ${clash.method === '*' ? 'ALL' : clash.method} ${clash.path}: built-in routes cannot be replaced; choose another path`);
    }
    const twin = routes.find((r) => patternCovers(r.pattern, pattern) && patternCovers(pattern, r.pattern));
    if (twin) throw new Error(`routerAdd ${name} is the same route as ${twin.pattern.method} ${twin.pattern.path}, added before it`);
    routes.push({ pattern, handler: spec.handler });
  }
  routes.sort((a, b) => compareRouteSpecificity(a.pattern, b.pattern));
  return {
    routes,
    find(method, pathname) {
      const parts = decodeSegments(pathname);
      if (!parts) return undefined;
      const m = method.toUpperCase();
      for (const route of routes) {
        const rm = route.pattern.method;
        if (rm !== '*' && rm !== m && !(rm === 'GET' && m === 'HEAD')) continue;
        const params = matchRoutePattern(route.pattern, parts);
        if (params) return { route, params };
      }
      return undefined;
    },
  };
}

/** The `routerAdd` chain's event: a request's method and path in, the route found out. */
export interface CustomRouteLookupEvent extends HookEvent {
  method: string;
  pathname: string;
  found?: { route: CustomRoute; params: Record<string, string> };
}

declare module './hooks-registry.ts' {
  interface HookEvents {
    routerAdd: CustomRouteLookupEvent;
  }
}

/** Bind a load's route table to its registry; `table` is read at each request (routes added later, in onServe, count). */
export function bindCustomRoutes(registry: HooksRegistry, table: () => CustomRouteTable): void {
  registry.chain('routerAdd').bind((e) => {
    const found = table().find(e.method, e.pathname);
    if (found) e.found = found;
    else return e.next();
  });
}

/** The custom route for a request in this registry, or undefined (no route: the 404). */
export async function findCustomRoute(registry: HooksRegistry, method: string, pathname: string): Promise<CustomRouteLookupEvent['found']> {
  const chain = registry.find('routerAdd');
  if (!chain) return undefined;
  const e: Omit<CustomRouteLookupEvent, 'next'> = { method, pathname };
  await chain.trigger(e);
  return e.found;
}
