/**
 * The hot record reads, `GET /api/collections/{c}/records` and `GET /api/collections/{c}/records/{id}`, answered
 * without the router (issue 16): the fetch handler calls the routes' own answer functions (records/routes.ts), so
 * auth, superuser IPs, rate-limit tags, `fields`/`expand`, the read hooks, the request log's notes and the error
 * shapes are the very code the router would have run. Only what the router adds is skipped: its path match, its
 * context object and its handler chain (Elysia's lifecycle: ~1.7 µs and a few allocations per read).
 * A path is taken only when the router would surely send it to the same route with the same params: plain
 * segments (no escape, dot or other character a decode or normalisation could change), no trailing slash, GET only.
 */
import type { Core } from '../core.ts';
import { answerListRecords, answerViewRecord } from '../records/routes.ts';

/** A route as the router lists it (Elysia's `:name` / `*` form). */
export interface ListedRoute {
  readonly method: string;
  readonly path: string;
}

/** The answer of a fast read, or undefined when the request is not one (the router answers it). */
export type FastReads = (request: Request) => Promise<Response> | undefined;

// wire: Elysia decodes a path param; a segment of these characters decodes to itself
const RECORDS_PATH = /^\/api\/collections\/([\w-]+)\/records(?:\/([\w-]+))?$/;
const LIST_ROUTE = '/api/collections/:collection/records';
const VIEW_ROUTE = '/api/collections/:collection/records/:id';

/**
 * The fast reads for this route table, or undefined when some other route could take such a path (a static
 * segment where the records routes have a param would win in the router, so the shortcut would answer wrongly).
 */
export function createFastReads(core: Core, routes: readonly ListedRoute[]): FastReads | undefined {
  if (!routes.some((r) => r.method === 'GET' && r.path === LIST_ROUTE)) return undefined;
  if (!routes.some((r) => r.method === 'GET' && r.path === VIEW_ROUTE)) return undefined;
  if (routes.some(couldShadowRecordReads)) return undefined;
  return (request) => {
    if (request.method !== 'GET') return undefined;
    const match = RECORDS_PATH.exec(pathOf(request.url));
    if (!match) return undefined;
    const id = match[2];
    return id === undefined ? answerListRecords(core, request, match[1]!) : answerViewRecord(core, request, match[1]!, id);
  };
}

/** The path of a request URL, without parsing it; a URL with a fragment gives "" (left to the router). */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0 || url.includes('#', start)) return '';
  const queryAt = url.indexOf('?', start);
  return queryAt < 0 ? url.slice(start) : url.slice(start, queryAt);
}

/** A GET (or any-method) route other than the records reads and the catch-all that matches a records read path. */
function couldShadowRecordReads(route: ListedRoute): boolean {
  if (route.method !== 'GET' && route.method !== 'ALL') return false;
  if (route.path === LIST_ROUTE || route.path === VIEW_ROUTE || route.path === '/*') return false;
  const segments = route.path.split('/');
  return [LIST_ROUTE, VIEW_ROUTE].some((ours) => segmentsOverlap(segments, ours.split('/')));
}

function segmentsOverlap(theirs: readonly string[], ours: readonly string[]): boolean {
  for (let i = 0; i < theirs.length; i++) {
    const segment = theirs[i]!;
    if (segment === '*') return true; // a wildcard takes the rest, whatever it is
    if (i >= ours.length) return false;
    if (segment.startsWith(':') || ours[i]!.startsWith(':')) continue;
    if (segment !== ours[i]) return false;
  }
  return theirs.length === ours.length;
}
