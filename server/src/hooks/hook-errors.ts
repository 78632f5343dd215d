/**
 * The errors a hook throws to answer with PocketBase's error shape (`app.BadRequestError` …, also named exports
 * of the types module and of '@galley/sdk'), and how a hook's throw becomes a GalleyError. The classes come from
 * their one source, sdk/src/hooks/hook-errors.ts, through hook-errors.generated.ts. They carry a `Symbol.for`
 * mark rather than being matched by `instanceof`, so the module instances a hooks file imports (its types
 * module, the sdk) are recognised as well: the shape is `{ status, message, data }`, PocketBase's ApiError.
 */
import { GalleyError, type ErrorKind, type IssueTree } from '../errors.ts';
import type { Logger } from '../lib/log.ts';
import { ApiError, BadRequestError, ForbiddenError, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError } from './hook-errors.generated.ts';

export { ApiError, BadRequestError, ForbiddenError, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError };

/** The mark the error classes carry (sdk/src/hooks/hook-errors.ts, their one source): how a throw is known as one. */
export const API_ERROR_MARK = Symbol.for('galley.apiError');

export const HOOK_ERROR_CLASSES = { ApiError, BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError };

/** Thrown by a request hook that answered itself (`return e.json(…)` without `e.next()`): http/errors.ts sends it. */
export class HookAnswer {
  readonly response: Response;
  constructor(response: Response) {
    this.response = response;
  }
}

const KIND_BY_STATUS: Record<number, ErrorKind> = { 400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 413: 'too_large', 429: 'rate_limited', 503: 'unavailable' };

function isApiError(err: unknown): err is { status: number; message: string; data?: Record<string, unknown> } {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[API_ERROR_MARK] === true;
}

/** `data`'s values as PocketBase answers them: a field error `{code, message}`, or a nested tree. */
function toIssues(data: Record<string, unknown> | undefined): IssueTree | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const out: IssueTree = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'object' || value === null) continue;
    const v = value as Record<string, unknown>;
    if (typeof v['code'] === 'string') out[key] = { code: v['code'] as never, message: String(v['message'] ?? '') };
    else out[key] = toIssues(v) ?? {};
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * What a hook's throw becomes: a Galley error (its own or a hook error class) keeps its status and shape; anything
 * else is logged with its stack and becomes PocketBase's generic 400.
 */
export function toHookFailure(err: unknown, hook: string, log: Pick<Logger, 'error'>): unknown {
  if (err instanceof GalleyError || err instanceof HookAnswer) return err;
  if (isApiError(err)) {
    const kind = KIND_BY_STATUS[err.status] ?? (err.status >= 500 ? 'unavailable' : 'invalid');
    return new GalleyError(kind, err.message, { issues: toIssues(err.data), cause: err });
  }
  log.error(`hook ${hook} failed`, { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return new GalleyError('invalid', 'Something went wrong while processing your request.');
}
