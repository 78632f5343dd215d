/**
 * Rate limits per client IP with PocketBase's settings shape and label matching (`users:authWithPassword`,
 * `*:auth`, `POST /api/…`, `/api/` prefixes; audience "" / @guest / @auth). Superusers, excluded IPs and
 * requests without a known client address are not counted. Counters live in memory and restart with the
 * settings. A route's tags are declared where it is registered (http/route-kit's RouteMeta), not read off its URL.
 */
import type { Core, Settings } from '../core.ts';
import { matchesIpList } from '../admin/settings-ip.ts';
import { GalleyError } from '../errors.ts';
import { isSuperuser, type RequestInfo } from '../rules/request-info.ts';

type Rule = Settings['rateLimits']['rules'][number];

/** A route's declared tags; a HEAD (answered by the GET route) carries only a download's `file` tag, as Galley always had it. */
function routeTags(method: string, tags: readonly string[] | undefined): readonly string[] {
  if (!tags) return [];
  return method === 'HEAD' ? tags.filter((tag) => tag === 'file') : tags;
}

/** wire: the first rule whose label equals a search label (in order), else the first `/prefix/` rule that covers the path. */
export function findRateLimitRule(rules: readonly Rule[], labels: readonly string[], audiences: readonly string[]): Rule | undefined {
  const prefixRules = rules.filter((r) => r.label.endsWith('/') && audiences.includes(r.audience));
  for (const label of labels) {
    const direct = rules.find((r) => r.label === label && audiences.includes(r.audience));
    if (direct) return direct;
    const prefix = prefixRules.find((r) => (label + '/').startsWith(r.label));
    if (prefix) return prefix;
  }
  return undefined;
}

/**
 * A rules list looked up by label: the rules of each exact label and the `/prefix/` rules, each in the list's
 * order (so a lookup finds what findRateLimitRule finds), and whether any rule could answer to a path label
 * (`METHOD /path`, `/path`: a label with a space or a leading `/`, or a prefix rule). PocketBase's default rules
 * are all `*:tag`, so most requests need no path at all. Built once per rules list (a settings change makes a new one).
 */
interface RuleIndex {
  byLabel: Map<string, Rule[]>;
  prefix: Rule[];
  pathMatchable: boolean;
  /** the tags the `<collection>:<tag>` labels name: a route whose tags are none of them matches no such label */
  tags: Set<string>;
}

const indexes = new WeakMap<readonly Rule[], RuleIndex>();

function indexRules(rules: readonly Rule[]): RuleIndex {
  let index = indexes.get(rules);
  if (!index) {
    const byLabel = new Map<string, Rule[]>();
    for (const r of rules) {
      const same = byLabel.get(r.label);
      if (same) same.push(r);
      else byLabel.set(r.label, [r]);
    }
    const prefix = rules.filter((r) => r.label.endsWith('/'));
    const pathMatchable = prefix.length > 0 || rules.some((r) => r.label.startsWith('/') || r.label.includes(' '));
    const tags = new Set(rules.map((r) => r.label.slice(r.label.indexOf(':') + 1)));
    indexes.set(rules, (index = { byLabel, prefix, pathMatchable, tags }));
  }
  return index;
}

/** findRateLimitRule over an index. */
function findIndexedRule(index: RuleIndex, labels: readonly string[], audiences: readonly string[]): Rule | undefined {
  for (const label of labels) {
    const direct = index.byLabel.get(label)?.find((r) => audiences.includes(r.audience));
    if (direct) return direct;
    if (index.prefix.length === 0) continue;
    const prefix = index.prefix.find((r) => audiences.includes(r.audience) && (label + '/').startsWith(r.label));
    if (prefix) return prefix;
  }
  return undefined;
}

const AUTH_AUDIENCES: readonly string[] = ['', '@auth'];
const GUEST_AUDIENCES: readonly string[] = ['', '@guest'];

/** The path of a request URL as `new URL` gives it, without parsing the plain ones (no dot segment, escape or backslash). */
function pathnameOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return new URL(url).pathname;
  let end = url.indexOf('?', start);
  const hash = url.indexOf('#', start);
  if (end < 0 || (hash >= 0 && hash < end)) end = hash;
  const path = end < 0 ? url.slice(start) : url.slice(start, end);
  return /[.%\\\s"<>`{}^|]/.test(path) ? new URL(url).pathname : path;
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

/**
 * Throws PocketBase's 429 "Too Many Requests." when this request exceeds the rule that applies to it. The client's
 * IP is read only once a rule applies (`client.ip` may be worked out on first read: the socket's peer address).
 */
export function enforceRateLimit(
  core: Core,
  request: { method: string; url: string; info: RequestInfo; route: { collection?: string; rateLimitTags?: readonly string[] } },
  client: { readonly ip: string },
): void {
  const { rateLimits } = core.settings.current();
  if (!rateLimits.enabled || rateLimits.rules.length === 0 || isSuperuser(request.info)) return;
  const method = request.method.toUpperCase();
  const index = indexRules(rateLimits.rules);
  const tags = routeTags(method, request.route.rateLimitTags);
  const named = request.route.collection;
  // no rule names any of the route's tags (PocketBase's defaults name auth flows only): no label to build
  const tagged = named !== undefined && tags.some((tag) => index.tags.has(tag));
  if (!tagged && !index.pathMatchable) return;
  const collection = tags.length > 0 && named !== undefined ? core.schema.findCollection(named) : undefined;
  const audiences = request.info.auth ? AUTH_AUDIENCES : GUEST_AUDIENCES;
  // Labels in PocketBase's order: the route's tags, then the path's (looked at only when a rule could match them).
  let rule = collection && tagged
    ? findIndexedRule(index, [...tags.map((tag) => `${collection.name}:${tag}`), ...tags.map((tag) => `*:${tag}`)], audiences)
    : undefined;
  if (!rule && index.pathMatchable) {
    const path = pathnameOf(request.url);
    rule = findIndexedRule(index, [`${method} ${path}`, path], audiences);
  }
  if (!rule) return;
  if (rule.audience === '@guest' && request.info.auth) return;
  if (rule.audience === '@auth' && !request.info.auth) return;
  const ip = client.ip;
  if (ip === '' || matchesIpList(ip, rateLimits.excludedIPs)) return;
  // wire: collection routes count per collection and route, path rules per rule.
  const bucket = collection ? `${collection.id}|${method} ${tags.join(',')}|${rule.audience}` : `${rule.label}|${rule.audience}`;
  const wait = consume(stateOf(core), `${bucket}|${ip}`, rule, core.clock().getTime());
  if (wait !== null) throw new GalleyError('rate_limited', 'Too Many Requests.', { retryAfter: wait });
}
