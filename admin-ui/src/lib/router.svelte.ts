/**
 * A small hash router: `#/path/:param?query`. The route table is lib/routes.ts; pages are loaded on first
 * visit (one chunk each), so heavy pages cost nothing until opened.
 */
import type { Component } from 'svelte';

export interface RouteDef {
  /** `/collections/:name`: `:x` matches one path segment */
  pattern: string;
  /** the page's module, imported lazily */
  load: () => Promise<{ default: Component<any> }>;
  /** the document title's first part */
  title: string;
  /** shown without signing in and without the sidebar (sign-in, installer) */
  public?: boolean;
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

export interface Match {
  route: RouteDef;
  params: Record<string, string>;
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, '') || '/';
  const at = raw.indexOf('?');
  const path = at < 0 ? raw : raw.slice(0, at);
  return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(at < 0 ? '' : raw.slice(at + 1)) };
}

export function matchRoute(routes: readonly RouteDef[], path: string): Match | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const wanted = route.pattern.split('/').filter(Boolean);
    if (wanted.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = wanted.every((w, i) => {
      const part = parts[i]!;
      if (w.startsWith(':')) {
        params[w.slice(1)] = decodeURIComponent(part);
        return true;
      }
      return w === part;
    });
    if (ok) return { route, params };
  }
  return undefined;
}

/** The current location, kept in step with the address bar. */
export const current = $state<Location>(parseHash(location.hash));

window.addEventListener('hashchange', () => {
  const next = parseHash(location.hash);
  current.path = next.path;
  current.query = next.query;
});

/** `href('/collections/posts')` → `#/collections/posts` (segments are encoded by the caller with `encodeURIComponent`). */
export function href(path: string, query?: Record<string, string>): string {
  const qs = query ? new URLSearchParams(query).toString() : '';
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(path: string, query?: Record<string, string>, opts: { replace?: boolean } = {}): void {
  const target = href(path, query);
  if (opts.replace) {
    history.replaceState(history.state, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else location.hash = target;
}
