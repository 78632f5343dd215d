/**
 * The `app` methods of the hook families beyond the record ones (types only; the server builds them): custom
 * routes (`routerAdd`, `routerUse`, the require-auth middlewares, `onServe`), cron jobs, mail hooks, realtime
 * hooks and the app lifecycle. PocketBase's JS names and event fields.
 */
import type { AnySchema, CollectionNames, CollectionsOf } from '../types/schema.ts';
import type { HookEventBase, HookRecord, HookRecordValues } from './hooks-app.ts';

type Names<S> = [S] extends [AnySchema] ? string : CollectionNames<S>;
type AuthNames<S> = CollectionsOf<S> extends infer C ? (C extends { readonly name: infer N extends string; readonly type: 'auth' } ? N : never) : never;
/** The signed-in record: a record of one of the schema's auth collections (or a superuser). */
type AuthRecord<S> = [S] extends [AnySchema] ? HookRecord<HookRecordValues<S, string>> : [AuthNames<S>] extends [never] ? HookRecord<HookRecordValues<AnySchema, string>> : HookRecord<HookRecordValues<S, AuthNames<S>>>;

/** `e.request`: the Request, with PocketBase's `pathValue(name)` for the route path's `{name}` parts. */
export type RouteRequest = Request & { pathValue(name: string): string };

/** `e` of a custom route's handler and middlewares. */
export interface RouteEvent<S = AnySchema> extends HookEventBase {
  request: RouteRequest;
  /** the record the Authorization token signs in, or null for a guest */
  auth: AuthRecord<S> | null;
  /** Answer with JSON (PocketBase's `?fields=` applies). */
  json(status: number, body: unknown): void;
  string(status: number, text: string): void;
  html(status: number, html: string): void;
  noContent(status?: number): void;
  redirect(status: number, url: string): void;
  /** the query, headers (snake_cased names) and the parsed body */
  requestInfo(): Promise<{ auth: AuthRecord<S> | null; method: string; query: Record<string, string>; headers: Record<string, string>; body: Record<string, unknown> }>;
  realIP(): string;
  hasSuperuserAuth(): boolean;
}

/** A handler or middleware: answer through `e.json(…)` (or return a Response); a middleware goes on with `await e.next()`. */
export type RouteHandler<S = AnySchema> = (e: RouteEvent<S>) => unknown;

export interface ServeEvent<S = AnySchema> extends HookEventBase {
  server: { url: string };
  router: { add(method: string, path: string, handler: RouteHandler<S>, ...middlewares: RouteHandler<S>[]): void; use(middleware: RouteHandler<S>): void };
}

export interface AppRouter<S> {
  /** A route of your own: `app.routerAdd('GET', '/api/hello/{name}', (e) => e.json(200, { hi: e.request.pathValue('name') }))`. A clash with a built-in route fails the load. */
  routerAdd(method: string, path: string, handler: RouteHandler<S>, ...middlewares: RouteHandler<S>[]): void;
  /** A middleware around every route of the hooks file. */
  routerUse(middleware: RouteHandler<S>): void;
  /** 401 for a guest; 403 for a record of another collection than those named (none named: any auth record). */
  requireAuth(...collections: Names<S>[]): RouteHandler<S>;
  requireSuperuserAuth(): RouteHandler<S>;
  /** 400 for a signed-in caller. */
  requireGuestOnly(): RouteHandler<S>;
  /** When the server listens: `e.server.url`, `e.router.add(…)`. */
  onServe(handler: (e: ServeEvent<S>) => unknown): void;
}

export interface AppCron {
  /** A job on the scheduler (five fields or @hourly/@daily…, UTC), listed by GET /api/crons, run by POST /api/crons/{id}. */
  cronAdd(id: string, expression: string, fn: () => unknown): void;
  cronRemove(id: string): void;
}

export interface MailMessage {
  from: { address: string; name?: string };
  to: Array<{ address: string; name?: string }>;
  subject: string;
  html: string;
  text?: string;
}

/** `e` of onMailerSend: change `e.message`, or veto the mail by not calling `e.next()`. */
export interface MailerEvent extends HookEventBase {
  message: MailMessage;
}

/** `e` of onMailerRecord*Send. */
export interface MailerRecordEvent<R> extends MailerEvent {
  record: HookRecord<R>;
  collection: { id: string; name: string; type: string };
  /** PocketBase's Meta: {token}; {token, newEmail}; {otpId, password}; {info} */
  meta: Record<string, unknown>;
}

type BindRecordMail<S> = <N extends Names<S> = Names<S>>(handler: (e: MailerRecordEvent<HookRecordValues<S, N>>) => unknown, ...collections: N[]) => void;

export interface MailHooks<S> {
  onMailerSend(handler: (e: MailerEvent) => unknown): void;
  onMailerRecordVerificationSend: BindRecordMail<S>;
  onMailerRecordPasswordResetSend: BindRecordMail<S>;
  onMailerRecordEmailChangeSend: BindRecordMail<S>;
  onMailerRecordOTPSend: BindRecordMail<S>;
  onMailerRecordAuthAlertSend: BindRecordMail<S>;
}

interface RealtimeRequestEvent<S> extends HookEventBase {
  request: Request;
  client: { id: string };
  auth: AuthRecord<S> | null;
  json(status: number, body: unknown): Response;
}

export interface RealtimeHooks<S> {
  /** Before a client's stream opens: throw to refuse it. */
  onRealtimeConnectRequest(handler: (e: RealtimeRequestEvent<S>) => unknown): void;
  /** Before a client's subscriptions are replaced: change `e.subscriptions`, or throw to refuse. */
  onRealtimeSubscribeRequest(handler: (e: RealtimeRequestEvent<S> & { subscriptions: string[] }) => unknown): void;
  /** Each message to each client: change `e.message` (`data` is JSON text), or drop it by not calling `e.next()`. */
  onRealtimeMessageSend(handler: (e: HookEventBase & { client: { id: string }; auth: AuthRecord<S> | null; message: { name: string; data: string } }) => unknown): void;
}

export interface LifecycleHooks {
  /** Once the data services are up and the hooks are loaded; a throw fails the start. */
  onBootstrap(handler: (e: HookEventBase) => unknown): void;
  /** At close (SIGTERM, SIGINT), before the services stop; waited for at most 5 s. */
  onTerminate(handler: (e: HookEventBase & { isRestart: boolean }) => unknown): void;
}
