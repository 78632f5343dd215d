/**
 * Custom route paths in PocketBase's form (Go's ServeMux patterns): `/api/hello/{name}` binds one segment,
 * a last `{rest...}` binds what remains (zero or more segments), everything else is matched literally. Also
 * reads the built-in routes' Elysia form (`:name`, a last `*`) so the two can be checked for overlap.
 */

export type RouteSegment = { kind: 'static'; value: string } | { kind: 'param'; name: string };

export interface RoutePattern {
  /** upper-case; `*` for any method */
  method: string;
  path: string;
  segments: RouteSegment[];
  /** the name a last `{name...}` binds (`*` for Elysia's), or null */
  rest: string | null;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', '*']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function splitPath(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

/** A PocketBase pattern → its parts; throws an Error whose message says what is wrong with it. */
export function parseRoutePattern(method: string, path: string): RoutePattern {
  const m = typeof method === 'string' ? method.toUpperCase() : '';
  if (!METHODS.has(m)) throw new Error(`"${String(method)}" is not an HTTP method (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or *)`);
  if (typeof path !== 'string' || !path.startsWith('/')) throw new Error(`the path "${String(path)}" must start with /`);
  const segments: RouteSegment[] = [];
  let rest: string | null = null;
  const names = new Set<string>();
  const parts = splitPath(path);
  parts.forEach((part, i) => {
    const wild = /^\{([^{}]*)\}$/.exec(part);
    if (!wild) {
      if (/[{}]/.test(part)) throw new Error(`"${part}" in ${path}: a {name} must be a whole path segment`);
      segments.push({ kind: 'static', value: part });
      return;
    }
    let name = wild[1]!;
    const isRest = name.endsWith('...');
    if (isRest) name = name.slice(0, -3);
    if (name === '$' && i === parts.length - 1 && !isRest) return; // Go's {$}: the path ends here, as ours always do
    if (!NAME.test(name)) throw new Error(`"{${wild[1]}}" in ${path} is not a parameter name`);
    if (names.has(name)) throw new Error(`{${name}} appears twice in ${path}`);
    names.add(name);
    if (isRest) {
      if (i !== parts.length - 1) throw new Error(`{${name}...} must be the last segment of ${path}`);
      rest = name;
    } else segments.push({ kind: 'param', name });
  });
  return { method: m, path, segments, rest };
}

/** A built-in route as Elysia lists it (`:name` segments, a last `*`). */
export function parseElysiaPattern(method: string, path: string): RoutePattern {
  const parts = splitPath(path);
  const rest = parts.at(-1) === '*' ? '*' : null;
  if (rest) parts.pop();
  const segments = parts.map((p): RouteSegment => (p.startsWith(':') ? { kind: 'param', name: p.slice(1) } : { kind: 'static', value: p }));
  return { method: method === 'ALL' ? '*' : method.toUpperCase(), path, segments, rest };
}

/** The path values of `pattern` for a request path split into decoded segments, or undefined when it does not match. */
export function matchRoutePattern(pattern: RoutePattern, parts: readonly string[]): Record<string, string> | undefined {
  const { segments, rest } = pattern;
  if (rest === null ? parts.length !== segments.length : parts.length < segments.length) return undefined;
  let params: Record<string, string> | undefined;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const part = parts[i]!;
    if (seg.kind === 'static') {
      if (seg.value !== part) return undefined;
    } else {
      if (part === '') return undefined;
      (params ??= {})[seg.name] = part;
    }
  }
  if (rest !== null) (params ??= {})[rest] = parts.slice(segments.length).join('/');
  return params ?? {};
}

function methodsMeet(a: string, b: string): boolean {
  return a === '*' || b === '*' || a === b;
}

function segmentsMeet(a: RouteSegment, b: RouteSegment): boolean {
  return a.kind === 'param' || b.kind === 'param' || a.value === b.value;
}

/** Whether some request would match both patterns. */
export function patternsOverlap(a: RoutePattern, b: RoutePattern): boolean {
  if (!methodsMeet(a.method, b.method)) return false;
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) if (!segmentsMeet(a.segments[i]!, b.segments[i]!)) return false;
  if (a.segments.length === b.segments.length) return true;
  // the shorter one must swallow the longer one's remaining segments
  return (a.segments.length < b.segments.length ? a : b).rest !== null;
}

/** Whether every request `inner` matches is matched by `outer` too (so `inner`, tried after it, never runs). */
export function patternCovers(outer: RoutePattern, inner: RoutePattern): boolean {
  if (!(outer.method === '*' || outer.method === inner.method)) return false;
  if (outer.rest === null && inner.rest !== null) return false;
  if (outer.rest === null ? outer.segments.length !== inner.segments.length : outer.segments.length > inner.segments.length) return false;
  return outer.segments.every((seg, i) => {
    const other = inner.segments[i]!;
    return seg.kind === 'param' ? true : other.kind === 'static' && other.value === seg.value;
  });
}

/** Most specific first (Go's ServeMux picks the most specific pattern): statics before params, a rest last. */
export function compareRouteSpecificity(a: RoutePattern, b: RoutePattern): number {
  if ((a.rest === null) !== (b.rest === null)) return a.rest === null ? -1 : 1;
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const x = a.segments[i]!.kind;
    const y = b.segments[i]!.kind;
    if (x !== y) return x === 'static' ? -1 : 1;
  }
  if (a.segments.length !== b.segments.length) return b.segments.length - a.segments.length;
  return a.method === '*' ? (b.method === '*' ? 0 : 1) : b.method === '*' ? -1 : 0;
}
