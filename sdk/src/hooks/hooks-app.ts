/**
 * `HooksApp<typeof schema>`: the `app` a server hooks file's default export receives, with records typed from
 * the schema (`export default (app: HooksApp<typeof schema>) => { app.onRecordCreate((e) => …, 'posts') }`).
 * Types only: the server builds the object. PocketBase's JS hook names and signatures: the handler first, then
 * the collection names it is limited to (none: every collection); `await e.next()` goes on.
 * Other families (routes, cron, mail, realtime, lifecycle) add their methods as interfaces extended below.
 */
import type { RecordOf } from '../types/record.ts';
import type { AnySchema, CollectionByName, CollectionNames } from '../types/schema.ts';
import type { AuthHooks } from './auth-hooks.ts';
import type { AppCron, AppRouter, LifecycleHooks, MailHooks, RealtimeHooks } from './hooks-families.ts';
import type { ApiError, BadRequestError, ForbiddenError, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError } from './hook-errors.ts';

/** A record's wire values by collection name (loose for a schema the types do not know). */
export type HookRecordValues<S, N extends string> = [S] extends [AnySchema] ? Record<string, unknown> & { id: string } : RecordOf<CollectionByName<S, N>>;

type Names<S> = [S] extends [AnySchema] ? string : CollectionNames<S>;

/** A record as hooks see it: `get`/`set` by field name, and plain reads (`e.record.title`). */
export type HookRecord<R> = Readonly<R> & {
  readonly id: string;
  get<K extends keyof R & string>(field: K): R[K];
  set<K extends keyof R & string>(field: K, value: R[K]): void;
  isNew(): boolean;
  /** the fields set since the record was read */
  changes(): Partial<R>;
  publicExport(): R;
  collection(): { id: string; name: string; type: string };
};

export interface HookEventBase {
  /** Run the next handler (then the default action); a handler that does not call it stops both. */
  next(): Promise<void>;
}

export interface HookCollection {
  readonly id: string;
  readonly name: string;
  readonly type: string;
}

/** `e` of onRecord{Create,Update,Delete,View,List}Request: before the write is queued. */
export interface RecordRequestEvent<R> extends HookEventBase {
  collection: HookCollection;
  /** create/update: the body as a record (`set` changes what is written) */
  record: HookRecord<R>;
  auth: Record<string, unknown> | null;
  /** Answer the request with this JSON instead: `return e.json(200, {...})` without calling `e.next()`. */
  json(status: number, body: unknown): Response;
}

/** `e` of onRecordAuthRequest: a sign-in, refresh or impersonation about to be answered (`e.token` may be replaced). */
export interface RecordAuthEvent<R> extends RecordRequestEvent<R> {
  token: string;
  meta: Record<string, unknown> | undefined;
}

/** `e` of onRecordValidate / onRecordCreate / onRecordUpdate / onRecordDelete: inside the write's savepoint. */
export interface RecordModelEvent<R> extends HookEventBase {
  collection: HookCollection;
  record: HookRecord<R>;
  type: 'create' | 'update' | 'delete';
}

/** `e` of onRecordAfter{Create,Update,Delete}Success: after the commit, before the response. */
export type RecordSuccessEvent<R> = RecordModelEvent<R>;

type Bind<S, Kind> = <N extends Names<S> = Names<S>>(handler: (e: EventFor<Kind, S, N>) => unknown, ...collections: N[]) => void;
type EventFor<Kind, S, N extends string> = Kind extends 'request'
  ? RecordRequestEvent<HookRecordValues<S, N>>
  : Kind extends 'auth'
    ? RecordAuthEvent<HookRecordValues<S, N>>
  : Kind extends 'model'
    ? RecordModelEvent<HookRecordValues<S, N>>
    : RecordSuccessEvent<HookRecordValues<S, N>>;

export interface RecordHooks<S> {
  onRecordCreateRequest: Bind<S, 'request'>;
  onRecordUpdateRequest: Bind<S, 'request'>;
  onRecordDeleteRequest: Bind<S, 'request'>;
  onRecordViewRequest: Bind<S, 'request'>;
  onRecordListRequest: Bind<S, 'request'>;
  onRecordAuthRequest: Bind<S, 'auth'>;
  /** before an auth-refresh: `e.record` is the signed-in record */
  onRecordAuthRefreshRequest: Bind<S, 'request'>;
  onRecordValidate: Bind<S, 'model'>;
  onRecordCreate: Bind<S, 'model'>;
  onRecordUpdate: Bind<S, 'model'>;
  onRecordDelete: Bind<S, 'model'>;
  onRecordAfterCreateSuccess: Bind<S, 'success'>;
  onRecordAfterUpdateSuccess: Bind<S, 'success'>;
  onRecordAfterDeleteSuccess: Bind<S, 'success'>;
}

export type FilterParams = Record<string, string | number | boolean | null | Date>;

export interface HooksLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface HooksMail {
  to: string | { address: string; name?: string } | Array<string | { address: string; name?: string }>;
  subject: string;
  html: string;
  text?: string;
  from?: string | { address: string; name?: string };
}

export interface AppRecords<S> {
  findRecordById<N extends Names<S>>(collection: N, id: string): Promise<HookRecord<HookRecordValues<S, N>>>;
  /** `filter` in PocketBase's filter syntax; `{:name}` placeholders take their values from `params`. */
  findFirstRecordByFilter<N extends Names<S>>(collection: N, filter: string, params?: FilterParams): Promise<HookRecord<HookRecordValues<S, N>>>;
  findRecordsByFilter<N extends Names<S>>(collection: N, filter: string, sort?: string, limit?: number, offset?: number, params?: FilterParams): Promise<Array<HookRecord<HookRecordValues<S, N>>>>;
  countRecords(collection: Names<S>, filter?: string, params?: FilterParams): Promise<number>;
  newRecord<N extends Names<S>>(collection: N, data?: Partial<HookRecordValues<S, N>>): HookRecord<HookRecordValues<S, N>>;
  /** Create (a new record) or update it, as a superuser: validation and model hooks run; inside a model hook, in its transaction. */
  save<R>(record: HookRecord<R>): Promise<HookRecord<R>>;
  delete(record: HookRecord<unknown>): Promise<void>;
  /** Writes made through `app` inside `fn` commit together or not at all. */
  runInTransaction<T>(fn: (app: HooksApp<S>) => Promise<T>): Promise<T>;
}

export interface AppTools {
  readonly logger: HooksLogger;
  settings(): Record<string, any>;
  sendMail(message: HooksMail): Promise<void>;
  readonly ApiError: typeof ApiError;
  readonly BadRequestError: typeof BadRequestError;
  readonly UnauthorizedError: typeof UnauthorizedError;
  readonly ForbiddenError: typeof ForbiddenError;
  readonly NotFoundError: typeof NotFoundError;
  readonly TooManyRequestsError: typeof TooManyRequestsError;
  readonly ValidationError: typeof ValidationError;
}

/** The `app` of a hooks file: `export default (app: HooksApp<typeof schema>) => { … }`. */
export interface HooksApp<S = AnySchema> extends RecordHooks<S>, AuthHooks<S>, AppRecords<S>, AppTools, AppRouter<S>, AppCron, MailHooks<S>, RealtimeHooks<S>, LifecycleHooks {}
