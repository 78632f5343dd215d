import { GalleyError, type ErrorKind, type IssueTree } from '../errors.ts';
import { HookAnswer } from '../hooks/hook-errors.ts';
import type { Logger } from '../lib/log.ts';
import { JSON_RESPONSE_HEADERS } from './cors.ts';

/** The only table from error kinds to HTTP statuses. */
const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unsupported_media: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  precondition_failed: 412,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

const GENERIC_400 = 'Something went wrong while processing your request.';

/** wire: PocketBase "sentenizes" messages: trimmed, first letter upper-cased, trailing period. */
export function sentenize(text: string): string {
  const t = text.trim();
  if (t === '') return t;
  const first = t[0]!.toUpperCase() + t.slice(1);
  return /[.?!]$/.test(first) ? first : first + '.';
}

export interface ErrorBody {
  data: IssueTree | Record<string, never>;
  message: string;
  status: number;
}

/** Turn anything thrown into PocketBase's error shape; nothing unclassified reaches the wire as text. */
export function toErrorBody(err: unknown, log: Logger): { body: ErrorBody; headers: Record<string, string> } {
  if (err instanceof GalleyError) {
    const status = STATUS[err.kind];
    const headers: Record<string, string> = {};
    if (err.retryAfter !== undefined) headers['Retry-After'] = String(err.retryAfter);
    if (status >= 500) log.warn('request failed', { kind: err.kind, message: err.message, cause: String(err.cause ?? '') });
    // the generic 400 hides its reason from the client (a rule that failed to compile): the log keeps it
    else if (err.message === GENERIC_400 && err.cause !== undefined) log.warn('request failed', { message: err.message, cause: String(err.cause) });
    return { body: { data: err.issues ?? {}, message: sentenize(err.message), status }, headers };
  }
  // wire: PocketBase answers errors it did not classify with a generic 400 and an empty data object.
  log.error('unclassified error', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return { body: { data: {}, message: GENERIC_400, status: 400 }, headers: {} };
}

export function errorResponse(err: unknown, log: Logger, extraHeaders: Record<string, string> = {}): Response {
  // a request hook answered the request itself (`return e.json(…)` without e.next())
  if (err instanceof HookAnswer) return err.response;
  const { body, headers } = toErrorBody(err, log);
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { ...JSON_RESPONSE_HEADERS, ...extraHeaders, ...headers },
  });
}
