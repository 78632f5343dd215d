/**
 * Rate limits per client IP with PocketBase's settings shape and label matching (`users:authWithPassword`,
 * `*:auth`, `POST /api/…`, `/api/` prefixes; audience "" / @guest / @auth). Superusers, excluded IPs and
 * requests without a known client address are not counted. Counters live in memory and restart with the
 * settings.
 */
import type { Core, Settings } from '../core.ts';
import { matchesIpList } from '../admin/settings-ip.ts';
import { GalleyError } from '../errors.ts';
import { isSuperuser, type RequestInfo } from '../rules/request-info.ts';

type Rule = Settings['rateLimits']['rules'][number];

/** wire: PocketBase's tags for the collection routes it rate limits (record CRUD and auth). */
const AUTH_ROUTE_TAGS: Record<string, string[]> = {
  'GET auth-methods': ['listAuthMethods'],
  'POST auth-refresh': ['authRefresh'],
  'POST auth-with-password': ['authWithPassword', 'auth'],
  'POST auth-with-oauth2': ['authWithOAuth2', 'auth'],
  'POST request-otp': ['requestOTP'],
  'POST auth-with-otp': ['authWithOTP', 'auth'],
  'POST request-password-reset': ['requestPasswordReset'],
  'POST confirm-password-reset': ['confirmPasswordReset'],
  'POST request-verification': ['requestVerification'],
  'POST confirm-verification': ['confirmVerification'],
  'POST request-email-change': ['requestEmailChange'],
  'POST confirm-email-change': ['confirmEmailChange'],
  'POST auth-logout-all': ['authLogoutAll'],
};
const RECORD_TAGS: Record<string, string> = { GET: 'list', POST: 'create', 'GET id': 'view', 'PATCH id': 'update', 'DELETE id': 'delete' };

const COLLECTION_PATH = /^\/api\/collections\/([^/]+)\/(records(?:\/([^/]+))?|[a-z0-9-]+)\/?$/;
/** wire: file downloads carry the tag `file` (`docs:file`, `*:file`). */
const FILE_PATH = /^\/api\/files\/([^/]+)\/[^/]+\/[^/]+$/;

/** The route's tags and the collection it names, when it is one PocketBase tags. */
function findRouteTags(method: string, path: string): { collection: string; tags: string[] } | null {
  const file = method === 'GET' || method === 'HEAD' ? FILE_PATH.exec(path) : null;
  if (file) {
    try {
      return { collection: decodeURIComponent(file[1]!), tags: ['file'] };
    } catch {
      return null;
    }
  }
  const m = COLLECTION_PATH.exec(path);
  if (!m) return null;
  let collection: string;
  try {
    collection = decodeURIComponent(m[1]!);
  } catch {
    return null; // http/path-escapes.ts repairs such paths first; a path rule may still apply
  }
  if (m[2]!.startsWith('records')) {
    const tag = RECORD_TAGS[m[3] === undefined ? method : `${method} id`];
    return tag ? { collection, tags: [tag] } : null;
  }
  const tags = AUTH_ROUTE_TAGS[`${method} ${m[2]}`];
  return tags ? { collection, tags } : null;
}

/** wire: the first rule whose label equals a search label (in order), else the first `/prefix/` rule that covers the path. */
export function findRateLimitRule(rules: readonly Rule[], labels: string[], audiences: string[]): Rule | undefined {
  const prefixRules = rules.filter((r) => r.label.endsWith('/') && audiences.includes(r.audience));
  for (const label of labels) {
    const direct = rules.find((r) => r.label === label && audiences.includes(r.audience));
    if (direct) return direct;
    const prefix = prefixRules.find((r) => (label + '/').startsWith(r.label));
    if (prefix) return prefix;
  }
  return undefined;
}

interface Window {
  start: number;
  used: number;
  /** the rule's window length, so a sweep knows when this one has ended */
  span: number;
}

interface LimiterState {
  version: number;
  windows: Map<string, Window>;
}

/** One Galley's rate-limit counters (held as `core.rateLimiter`; they start over when the settings change). */
export interface RateLimiter {
  state: LimiterState | undefined;
}

export function createRateLimiter(): RateLimiter {
  return { state: undefined };
}

function stateOf(core: Core): LimiterState {
  const version = core.settings.version();
  let state = core.rateLimiter.state;
  if (!state || state.version !== version) core.rateLimiter.state = state = { version, windows: new Map() };
  return state;
}

/** Counts one request against a fixed window; returns the seconds to wait when the window is full. */
function consume(state: LimiterState, key: string, rule: Rule, now: number): number | null {
  const span = rule.duration * 1000;
  let window = state.windows.get(key);
  if (!window || now - window.start >= span) {
    if (state.windows.size > 50_000) for (const [k, w] of state.windows) if (now - w.start >= span) state.windows.delete(k);
    state.windows.set(key, (window = { start: now, used: 0, span }));
  }
  if (window.used >= rule.maxRequests) return Math.max(1, Math.ceil((window.start + span - now) / 1000));
  window.used++;
  return null;
}

/** Drop the windows that have ended (cron `__pbRateLimitersCleanup__`); returns how many went. */
export function sweepRateLimitWindows(core: Core, now: number): number {
  const state = core.rateLimiter.state;
  let swept = 0;
  for (const [key, w] of state?.windows ?? []) if (now - w.start >= w.span) swept += Number(state!.windows.delete(key));
  return swept;
}

/** Throws PocketBase's 429 "Too Many Requests." when this request exceeds the rule that applies to it. */
export function enforceRateLimit(core: Core, request: { method: string; url: string; ip: string; info: RequestInfo }): void {
  const { rateLimits } = core.settings.current();
  if (!rateLimits.enabled || request.ip === '' || rateLimits.rules.length === 0) return;
  if (isSuperuser(request.info) || matchesIpList(request.ip, rateLimits.excludedIPs)) return;
  const method = request.method.toUpperCase();
  const path = new URL(request.url).pathname;
  const pathLabels = [`${method} ${path}`, path];
  const route = findRouteTags(method, path);
  const collection = route ? core.schema.findCollection(route.collection) : undefined;
  const labels = route && collection
    ? [...route.tags.map((tag) => `${collection.name}:${tag}`), ...route.tags.map((tag) => `*:${tag}`), ...pathLabels]
    : pathLabels;
  const audiences = request.info.auth ? ['', '@auth'] : ['', '@guest'];
  const rule = findRateLimitRule(rateLimits.rules, labels, audiences);
  if (!rule) return;
  if (rule.audience === '@guest' && request.info.auth) return;
  if (rule.audience === '@auth' && !request.info.auth) return;
  // wire: collection routes count per collection and route, path rules per rule.
  const bucket = route && collection ? `${collection.id}|${method} ${route.tags.join(',')}|${rule.audience}` : `${rule.label}|${rule.audience}`;
  const wait = consume(stateOf(core), `${bucket}|${request.ip}`, rule, core.clock().getTime());
  if (wait !== null) throw new GalleyError('rate_limited', 'Too Many Requests.', { retryAfter: wait });
}
