/**
 * The app settings in PocketBase's shape (§10): what the dashboard and the SDK's `settings` service read
 * and write. Kept in data.db; secrets (SMTP password, S3 secrets) are never sent back.
 */
import { issue, type IssueTree } from '../errors.ts';

export interface SmtpSettings {
  enabled: boolean;
  port: number;
  host: string;
  username: string;
  password: string;
  /** wire: "PLAIN" (default when empty) or "LOGIN" */
  authMethod: string;
  tls: boolean;
  localName: string;
}

export interface S3Settings {
  enabled: boolean;
  bucket: string;
  region: string;
  endpoint: string;
  accessKey: string;
  secret: string;
  forcePathStyle: boolean;
}

export interface RateLimitRule {
  /** a tag (`users:authWithPassword`, `*:auth`), a path (`/api/health`) or a path prefix ending in `/` */
  label: string;
  /** "" (everyone), "@guest" or "@auth" */
  audience: string;
  /** seconds per window */
  duration: number;
  maxRequests: number;
}

export interface Settings {
  meta: { appName: string; appURL: string; senderName: string; senderAddress: string; hideControls: boolean; accentColor: string };
  smtp: SmtpSettings;
  s3: S3Settings;
  backups: { cron: string; cronMaxKeep: number; s3: S3Settings };
  batch: { enabled: boolean; maxRequests: number; timeout: number; maxBodySize: number };
  logs: { maxDays: number; minLevel: number; logIP: boolean; logAuthId: boolean };
  rateLimits: { rules: RateLimitRule[]; excludedIPs: string[]; enabled: boolean };
  /** Galley: `ips` lists the proxies whose forwarding headers are believed (empty: loopback peers only). */
  trustedProxy: { headers: string[]; useLeftmostIP: boolean; ips: string[] };
  superuserIPs: string[];
  /** Galley: caps on what anonymous realtime clients may hold (PocketBase has no such settings). */
  realtime: RealtimeSettings;
}

export interface RealtimeSettings {
  /** UTF-8 bytes of one client's whole subscription set (the sum of its topics); a POST over it is a 400 */
  maxSubscriptionBytes: number;
  /** open realtime streams per client IP (as resolved through trustedProxy); one more is a 429 */
  maxStreamsPerIp: number;
}

/** 256 KiB holds 100 topics of PocketBase's longest (2500 characters) or thousands of ordinary ones. */
export const DEFAULT_REALTIME_SETTINGS: Readonly<RealtimeSettings> = Object.freeze({ maxSubscriptionBytes: 256 * 1024, maxStreamsPerIp: 50 });

const blankS3 = (): S3Settings => ({ enabled: false, bucket: '', region: '', endpoint: '', accessKey: '', secret: '', forcePathStyle: false });

/**
 * Auth routes are rate limited out of the box (PocketBase ships its limiter switched off): logins per
 * 3 s, mail-sending requests per minute, per client IP. Labels follow PocketBase's tags.
 */
export const DEFAULT_RATE_LIMIT_RULES: readonly RateLimitRule[] = [
  { label: '*:auth', audience: '', duration: 3, maxRequests: 10 },
  { label: '*:requestVerification', audience: '', duration: 60, maxRequests: 5 },
  { label: '*:requestPasswordReset', audience: '', duration: 60, maxRequests: 5 },
  { label: '*:requestEmailChange', audience: '', duration: 60, maxRequests: 5 },
  { label: '*:requestOTP', audience: '', duration: 60, maxRequests: 5 },
  { label: '*:confirmVerification', audience: '', duration: 60, maxRequests: 10 },
  { label: '*:confirmPasswordReset', audience: '', duration: 60, maxRequests: 10 },
  { label: '*:confirmEmailChange', audience: '', duration: 60, maxRequests: 10 },
];

/** wire: PocketBase's defaults (appName "Acme", appURL http://localhost:8090, …), rate limits on. */
export function createDefaultSettings(): Settings {
  return {
    meta: {
      appName: 'Acme',
      appURL: 'http://localhost:8090',
      senderName: 'Support',
      senderAddress: 'support@example.com',
      hideControls: false,
      accentColor: '#1055c9',
    },
    smtp: { enabled: false, port: 587, host: 'smtp.example.com', username: '', password: '', authMethod: '', tls: false, localName: '' },
    s3: blankS3(),
    backups: { cron: '', cronMaxKeep: 3, s3: blankS3() },
    // Galley: batch ships enabled (PocketBase ships it off), with PocketBase's limits; maxBodySize 0 is 128 MiB.
    batch: { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 },
    logs: { maxDays: 5, minLevel: 0, logIP: true, logAuthId: false },
    rateLimits: { rules: DEFAULT_RATE_LIMIT_RULES.map((r) => ({ ...r })), excludedIPs: [], enabled: true },
    trustedProxy: { headers: [], useLeftmostIP: false, ips: [] },
    superuserIPs: [],
    realtime: { ...DEFAULT_REALTIME_SETTINGS },
  };
}

/** The settings as GET /api/settings sends them: secrets left out (wire: omitted, not blanked). */
export function toSettingsJson(settings: Settings): Record<string, unknown> {
  const copy = structuredClone(settings) as unknown as Record<string, Record<string, unknown>>;
  delete copy['smtp']!['password'];
  delete copy['s3']!['secret'];
  delete (copy['backups']!['s3'] as Record<string, unknown>)['secret'];
  return copy;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

/** A value of the right JS type for `template`, or undefined (arrays of objects are checked item by item). */
function mergeValue(template: unknown, given: unknown, path: string[], issues: IssueTree): unknown {
  if (isObject(template)) {
    if (!isObject(given)) return fail(path, issues);
    const out: Record<string, unknown> = { ...template };
    for (const [key, value] of Object.entries(given)) {
      if (!(key in template) || value === undefined) continue; // unknown keys are ignored, as PocketBase does
      const merged = mergeValue(template[key], value, [...path, key], issues);
      if (merged !== undefined) out[key] = merged;
    }
    return out;
  }
  if (Array.isArray(template)) {
    if (given === null) return [];
    if (!Array.isArray(given)) return fail(path, issues);
    const itemTemplate = path[path.length - 1] === 'rules' ? DEFAULT_RATE_LIMIT_RULES[0]! : '';
    const blank = isObject(itemTemplate) ? { label: '', audience: '', duration: 0, maxRequests: 0 } : '';
    return given.map((item, i) => mergeValue(blank, item, [...path, String(i)], issues) ?? blank);
  }
  if (typeof template === 'number') {
    if (typeof given !== 'number' || !Number.isFinite(given)) return fail(path, issues);
    return given;
  }
  return kindOf(given) === kindOf(template) ? given : fail(path, issues);
}

function fail(path: string[], issues: IssueTree): undefined {
  let node = issues;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as IssueTree;
  node[path[path.length - 1]!] = issue('validation_unsupported_value_type', 'Invalid value type.');
  return undefined;
}

/**
 * `patch` applied over `current` the way PocketBase binds a PATCH body: objects merge key by key, arrays and
 * scalars replace, unknown keys are ignored. Values of the wrong type are reported by path, not stored.
 */
export function mergeSettings(current: Settings, patch: unknown): { settings: Settings; issues: IssueTree } {
  const issues: IssueTree = {};
  if (!isObject(patch)) return { settings: structuredClone(current), issues };
  const merged = mergeValue(structuredClone(current), patch, [], issues) as Settings;
  return { settings: merged, issues };
}
