import type { Core } from '../core.ts';
import { runOutsideGate } from '../admin/request-gate.ts';
import { authenticateRequest } from '../auth/authenticate.ts';
import { GalleyError } from '../errors.ts';
import { pickFields } from '../query/fields.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { readBody, type BodyLimit, type ParsedBody } from './body.ts';
import { resolveClientIp } from './client-ip.ts';
import { JSON_RESPONSE_HEADERS, withStandardHeaders } from './cors.ts';
import { errorResponse, sentenize, toErrorBody, type ErrorBody } from './errors.ts';
import { enforceRateLimit } from './rate-limit.ts';
import { enforceSuperuserIps } from './superuser-ips.ts';

/** For routes that check a superuser credential other than the Authorization header (a file token). */
export { isSuperuserIpAllowed } from './superuser-ips.ts';

/**
 * What a route handler gets: the parsed URL, query, the caller (RequestInfo) and a lazy body reader.
 * Route files (each domain's routes.ts) use this kit so each stays a thin parse → service → shape step.
 */
export interface HttpRequest {
  readonly raw: Request;
  readonly url: URL;
  /** first value of each query parameter */
  readonly query: Record<string, string>;
  readonly info: RequestInfo;
  /** the client's IP (the socket peer, or a trusted proxy's forwarding header); "" when unknown */
  readonly ip: string;
  /** the body, parsed once; a record route passes its collection's limits (multipart files by field) */
  body(limit?: BodyLimit): Promise<ParsedBody>;
}

/** A JSON answer, a 204, or a Response made elsewhere (a hooks file's custom route) sent as it is. */
export type Reply = { json: unknown; status?: number } | { empty: true } | { response: Response };

export const json = (data: unknown, status = 200): Reply => ({ json: data, status });
export const noContent = (): Reply => ({ empty: true });

function snakeHeader(name: string): string {
  return name.toLowerCase().replace(/-/g, '_');
}

export async function buildHttpRequest(core: Core, raw: Request): Promise<HttpRequest> {
  const authorization = raw.headers.get('authorization');
  // no header, no token: skip the lookup's await (most reads are anonymous)
  return new IncomingRequest(core, raw, authorization ? await authenticateRequest(core, authorization) : null);
}

/**
 * A class rather than an object literal with getters: an instance is one allocation, where a literal makes a
 * getter function per accessor per request. The URL, the client IP and the body are worked out on first use.
 */
class IncomingRequest implements HttpRequest {
  readonly query: Record<string, string> = {};
  readonly info: RequestInfo;
  #url: URL | undefined;
  #ip: string | undefined;
  #body: Promise<ParsedBody> | undefined;

  constructor(
    private readonly core: Core,
    readonly raw: Request,
    auth: RequestInfo['auth'],
  ) {
    // Most reads carry no query string: skip URL parsing for them.
    if (raw.url.includes('?')) {
      this.#url = new URL(raw.url);
      for (const [k, v] of this.#url.searchParams) if (!(k in this.query)) this.query[k] = v;
    }
    this.info = buildRequestInfo(raw, auth, this.query);
  }

  get url(): URL {
    return (this.#url ??= new URL(this.raw.url));
  }

  /** Read only where something needs it (a rate limit that applies, the superuser IP list, a route, the log). */
  get ip(): string {
    return (this.#ip ??= resolveClientIp(this.raw, this.core.settings.current().trustedProxy));
  }

  body(limit: BodyLimit = this.core.config.maxBodySize): Promise<ParsedBody> {
    return (this.#body ??= readBodyOutsideGate(this.core, this.raw, this.info, limit));
  }
}

function buildRequestInfo(raw: Request, auth: RequestInfo['auth'], query: Record<string, string>): RequestInfo {
  let headers: Record<string, string> | undefined;
  return {
    auth,
    method: raw.method.toUpperCase(),
    query,
    // Built on first use: few rules read @request.headers, and every request would pay for it.
    get headers() {
      if (!headers) {
        headers = {};
        raw.headers.forEach((value, key) => {
          headers![snakeHeader(key)] = value;
        });
      }
      return headers;
    },
    body: {},
    context: 'default',
  };
}

/**
 * A body streams in at the client's pace (a slow upload), so the request leaves the schema-change gate while
 * it is read. Nothing schema-bound is done before it but the caller's lookup: redone if the schema changed.
 */
async function readBodyOutsideGate(core: Core, raw: Request, info: RequestInfo, limit: BodyLimit): Promise<ParsedBody> {
  const schema = core.schema;
  const body = await runOutsideGate(() => readBody(raw, limit));
  if (core.schema !== schema && info.auth) info.auth = await authenticateRequest(core, raw.headers.get('authorization'));
  return body;
}

/**
 * What a route declares about itself where it is registered, so no later step re-parses its URL:
 * the collection its path names (`:collection`, as the router decoded it), PocketBase's rate-limit tags
 * (`<collection>:<tag>`, `*:<tag>`) and whether its successes stay out of the request log.
 */
export interface RouteMeta {
  collection?: string;
  /** wire: PocketBase's tags for the route (`authWithPassword`+`auth`, `list`, `file`, …); they apply with `collection` */
  rateLimitTags?: readonly string[];
  /** wire: PocketBase's SkipSuccessActivityLog: only a refused or failed request is logged */
  log?: 'skip-success';
}

/** A route under `/api/collections/:collection/` with PocketBase's tags for it (none: it names its collection only). */
export function tagCollectionRoute(collection: string, ...rateLimitTags: string[]): RouteMeta {
  return { collection, rateLimitTags };
}

/**
 * JSON_RESPONSE_HEADERS as a Headers object, copied into each answer: Bun copies a Headers far faster than it
 * reads a plain object's entries. Never handed out, so nothing mutates it (a Response gets its own copy).
 */
const JSON_HEADERS = new Headers(JSON_RESPONSE_HEADERS);

/** Answers built here: JSON or 204, with the standard headers already (the fetch handler and listener need not look). */
const ownResponses = new WeakSet<Response>();

function ownResponse(response: Response): Response {
  ownResponses.add(response);
  return response;
}

/**
 * True for an answer `respond` built: a JSON or empty body (never an event stream) with the standard headers in
 * place. Reading a Response's headers makes Bun build a Headers object for it, a few µs per request.
 */
export function isRespondAnswer(response: Response): boolean {
  return ownResponses.has(response);
}

/** Run a handler and shape its reply; `fields` projection applies to 2xx JSON as PocketBase does. */
export async function respond(core: Core, raw: Request, handler: (req: HttpRequest) => Promise<Reply>, route: RouteMeta = {}): Promise<Response> {
  if (route.log === 'skip-success') core.logs.noteRequest(raw, { skipSuccess: true });
  try {
    // buildHttpRequest inlined: one async frame and await less per request
    const authorization = raw.headers.get('authorization');
    const req = new IncomingRequest(core, raw, authorization ? await authenticateRequest(core, authorization) : null);
    const auth = req.info.auth;
    if (auth) core.logs.noteRequest(raw, { auth: { collection: auth.collection.name, id: String(auth.record['id'] ?? '') } });
    enforceSuperuserIps(core, req.info, req, route.collection);
    // Before the handler: a limited request never reaches a password hash or a mail. (Limits off, the default:
    // no argument object and URL string made per request only to be dropped.)
    if (core.settings.current().rateLimits.enabled) enforceRateLimit(core, { method: raw.method, url: raw.url, info: req.info, route }, req);
    const reply = await handler(req);
    if ('empty' in reply) return ownResponse(withStandardHeaders(new Response(null, { status: 204 })));
    if ('response' in reply) return reply.response;
    const fields = req.query['fields'];
    const data = fields ? pickFields(reply.json, fields) : reply.json;
    return ownResponse(new Response(JSON.stringify(data), { status: reply.status ?? 200, headers: JSON_HEADERS }));
  } catch (err) {
    const response = errorResponse(err, core.log);
    core.logs.noteRequest(raw, { error: describeLoggedError(err) });
    return response;
  }
}

/** What the request log keeps of an error answered: the message and the field issues (never values). */
function describeLoggedError(err: unknown): { message: string; details: unknown } {
  if (err instanceof GalleyError) return { message: sentenize(err.message), details: err.issues ?? {} };
  return { message: err instanceof Error ? err.message.slice(0, 500) : 'unclassified error', details: {} };
}

/** A request a route runs on the caller's behalf (a batch's sub-request) counts against the rate limits as if sent alone. */
export function enforceSubRequestRateLimit(
  core: Core,
  req: HttpRequest,
  sub: { method: string; path: string; info: RequestInfo; route: RouteMeta },
): void {
  enforceRateLimit(core, { method: sub.method, url: new URL(sub.path, req.raw.url).href, info: sub.info, route: sub.route }, req);
}

/** Anything thrown, as PocketBase's `{data, message, status}` body (a batch answers with its failed sub-request's). */
export function describeError(core: Core, err: unknown): ErrorBody {
  return toErrorBody(err, core.log).body;
}
