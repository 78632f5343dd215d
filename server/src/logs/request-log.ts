/**
 * A request's log entry, as PocketBase's activity logger fills it (apis/middlewares.go logRequest), minus
 * what must never reach a log: bodies, headers (Authorization, Cookie) and the values of secret-looking
 * query parameters (`?token=` of a file URL, an OAuth2 `code`), which are replaced by `[redacted]`.
 */
import { LOG_LEVEL, type LogEntry } from './log-entry.ts';

/** What the route that answered told the logger (auth resolved, error answered, logging declined). */
export interface RequestNote {
  auth?: { collection: string; id: string };
  error?: { message: string; details: unknown };
  /** wire: PocketBase's SkipSuccessActivityLog (the logs routes): only failures are logged */
  skipSuccess?: boolean;
}

export interface AnsweredRequest {
  request: Request;
  status: number;
  /** ms from arrival to the answer */
  execTime: number;
  note: RequestNote | undefined;
  /** set only when `logs.logIP` is on */
  userIP?: string;
  remoteIP?: string;
}

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
  try {
    return decodeURI(uri);
  } catch {
    return uri;
  }
}

export interface RequestLogOptions {
  logAuthId: boolean;
}

export function buildRequestLogEntry(answered: AnsweredRequest, opts: RequestLogOptions): LogEntry {
  const { request, status, note } = answered;
  const method = cutText(request.method.toUpperCase(), 50);
  const uri = cutText(redactQuery(requestUriOf(request.url)), 3000);
  const data: Record<string, unknown> = { type: 'request', execTime: answered.execTime };
  if (note?.error) {
    data['error'] = note.error.message;
    data['details'] = note.error.details;
  }
  data['url'] = uri;
  data['method'] = method;
  data['status'] = status;
  data['referer'] = cutText(redactQuery(request.headers.get('referer') ?? ''), 2000);
  data['userAgent'] = cutText(request.headers.get('user-agent') ?? '', 2000);
  // wire: a guest's `auth` is ""
  data['auth'] = note?.auth?.collection ?? '';
  if (note?.auth && opts.logAuthId) data['authId'] = note.auth.id;
  if (answered.userIP !== undefined) {
    data['userIP'] = answered.userIP;
    data['remoteIP'] = answered.remoteIP ?? '';
  }
  // wire: a failed request is an error entry, the rest info
  const level = status >= 400 ? LOG_LEVEL.error : LOG_LEVEL.info;
  return { level, message: `${method} ${unescapePath(uri)}`, data };
}
