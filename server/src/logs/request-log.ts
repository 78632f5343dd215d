/**
 * A request's log entry, as PocketBase's activity logger fills it (apis/middlewares.go logRequest), minus
 * what must never reach a log: bodies, headers (Authorization, Cookie) and the values of secret-looking
 * query parameters (`?token=` of a file URL, an OAuth2 `code`), which are replaced by `[redacted]`.
 *
 * Built from the raw facts the request thread captured (RequestFacts), on the log writer's thread: the
 * request path only copies a few references (log-service.ts); redaction, capping and JSON happen here.
 */
import { LOG_LEVEL } from './log-entry.ts';

/** What the route that answered told the logger (auth resolved, error answered, logging declined). */
export interface RequestNote {
  auth?: { collection: string; id: string };
  error?: { message: string; details: unknown };
  /** wire: PocketBase's SkipSuccessActivityLog (the logs routes): only failures are logged */
  skipSuccess?: boolean;
}

/** A request's facts as captured when it was answered: raw, not yet redacted nor capped. */
export interface RequestFacts {
  method: string;
  /** the request's full URL as received */
  url: string;
  status: number;
  /** ms from arrival to the answer */
  execTime: number;
  userAgent: string | undefined;
  referer: string | undefined;
  /** the caller's auth collection; undefined for a guest */
  auth: string | undefined;
  /** set only when `logs.logAuthId` is on and the caller is authenticated */
  authId: string | undefined;
  /** set only when `logs.logIP` is on */
  userIP: string | undefined;
  remoteIP: string | undefined;
  /** JSON of the answered error, `{message, details}` (RequestNote's error) */
  error: string | undefined;
}

/** wire: a failed request is an error entry, the rest info */
export const requestLevel = (status: number): number => (status >= 400 ? LOG_LEVEL.error : LOG_LEVEL.info);

/** Galley: parameter names whose values are credentials (PocketBase logs the URL as it came). */
const SECRET_PARAM = /token|code|state|pass|secret|otp|key|auth|session|cookie|sig|jwt|credential/i;
const REDACTED = '[redacted]';

/** wire: PocketBase's cutStr (a longer value is cut and marked with "..."). */
function cutText(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) + '...' : text;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** The query values of secret-looking parameters replaced; the rest kept as sent. */
export function redactQuery(uri: string): string {
  const q = uri.indexOf('?');
  if (q < 0) return uri;
  const query = uri.slice(q + 1);
  if (!SECRET_PARAM.test(decodeName(query))) return uri;
  const parts = query.split('&').map((part) => {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    return SECRET_PARAM.test(decodeName(name)) ? `${name}=${REDACTED}` : part;
  });
  return uri.slice(0, q + 1) + parts.join('&');
}

/** Path and query of a request URL (PocketBase's RequestURI). */
function requestUriOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const hash = url.indexOf('#', start);
  return hash < 0 ? url.slice(start) : url.slice(start, hash);
}

function unescapePath(uri: string): string {
  if (!uri.includes('%')) return uri;
  try {
    return decodeURI(uri);
  } catch {
    return uri;
  }
}

function parseError(json: string): { message: string; details: unknown } {
  try {
    return JSON.parse(json) as { message: string; details: unknown };
  } catch {
    return { message: 'unclassified error', details: {} };
  }
}

/** A request's entry as the writer inserts it: level, message and `data` as JSON text. */
export interface RequestLogRow {
  level: number;
  message: string;
  data: string;
}

const json = JSON.stringify;
/** what JSON.stringify would escape in a string: '"', '\\', controls, and surrogates (a lone one is escaped) */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** JSON of a string: most values (paths, user agents, names) need no escape, and quoting them is ~5x cheaper than stringify */
const quote = (text: string): string => (NEEDS_ESCAPE.test(text) ? json(text) : '"' + text + '"');

/**
 * A request's entry, its `data` JSON written field by field (the keys and order PocketBase's logger writes;
 * an object and its stringify cost about as much as the rest of the row's preparation).
 */
export function buildRequestLogRow(facts: RequestFacts): RequestLogRow {
  const method = cutText(facts.method.toUpperCase(), 50);
  const uri = cutText(redactQuery(requestUriOf(facts.url)), 3000);
  let data = `{"type":"request","execTime":${json(facts.execTime)}`;
  if (facts.error !== undefined) {
    const error = parseError(facts.error);
    data += `,"error":${json(String(error.message ?? ""))}`;
    if (error.details !== undefined) data += `,"details":${json(error.details)}`;
  }
  data += `,"url":${quote(uri)},"method":${quote(method)},"status":${json(facts.status)}`;
  data += `,"referer":${quote(cutText(redactQuery(facts.referer ?? ''), 2000))},"userAgent":${quote(cutText(facts.userAgent ?? '', 2000))}`;
  // wire: a guest's `auth` is ""
  data += `,"auth":${quote(facts.auth ?? '')}`;
  if (facts.authId !== undefined) data += `,"authId":${quote(facts.authId)}`;
  if (facts.userIP !== undefined) data += `,"userIP":${quote(facts.userIP)},"remoteIP":${quote(facts.remoteIP ?? '')}`;
  return { level: requestLevel(facts.status), message: `${method} ${unescapePath(uri)}`, data: data + '}' };
}
