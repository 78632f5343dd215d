/**
 * @galley/sdk — a typed layer over the official `pocketbase` SDK (a peer dependency). Types come from the schema:
 * `createClient<typeof schema>(url)` with a `galley.schema.ts` (`defineSchema`) or the module `galley types` writes.
 */
export { createClient, type Client, type TypedClient } from './create-client.ts';
export { GalleyClient } from './client.ts';
export { defineSchema } from './define-schema.ts';
export { expand } from './expand.ts';
export { compileWhere as where, filter, type Filter } from './filter.ts';
export type { CollectionInput, FieldInput, SchemaInput } from './schema-input.generated.ts';
export type { ExpandSpec, ExpandString } from './types/expand.ts';
export type { SortKey, WhereInput, WhereOps, WhereValue } from './types/query.ts';
export type { CreateBody, FileName, JsonTypes, RecordOf, UpdateBody } from './types/record.ts';
export type { AnySchema, CollectionByName, CollectionNames, SchemaShape } from './types/schema.ts';
export type { CollectionService, RecordAuthResponse, RecordEvent, ResultRecord, TypedFileService } from './types/service.ts';
export { ApiError, BadRequestError, ForbiddenError, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError } from './hooks/hook-errors.ts';
export type { AppRecords, AppTools, FilterParams, HookRecord, HookRecordValues, HooksApp, RecordHooks, RecordModelEvent, RecordRequestEvent, RecordSuccessEvent } from './hooks/hooks-app.ts';
export type {
  AuthHooks,
  OAuth2User,
  RecordAuthFlowEvent,
  RecordAuthWithOAuth2Event,
  RecordAuthWithOTPEvent,
  RecordAuthWithPasswordEvent,
  RecordEmailChangeEvent,
  RecordRequestOTPEvent,
} from './hooks/auth-hooks.ts';
export type { AppCron, AppRouter, LifecycleHooks, MailHooks, MailerEvent, MailerRecordEvent, RealtimeHooks, RouteEvent, RouteHandler, RouteRequest, ServeEvent } from './hooks/hooks-families.ts';
export { ClientResponseError, type ListResult, type RecordModel } from 'pocketbase';

/** The record type of a collection: `type Post = RecordFor<typeof schema, 'posts'>`. */
export type RecordFor<S, N extends string, J = {}> = import('./types/record.ts').RecordOf<import('./types/schema.ts').CollectionByName<S, N>, J>;
/** The create body of a collection. */
export type CreateFor<S, N extends string, J = {}> = import('./types/record.ts').CreateBody<import('./types/schema.ts').CollectionByName<S, N>, J>;
/** The update body of a collection. */
export type UpdateFor<S, N extends string, J = {}> = import('./types/record.ts').UpdateBody<import('./types/schema.ts').CollectionByName<S, N>, J>;

/** wire: the error body of every 4xx/5xx answer. */
export interface ErrorBody {
  status: number;
  message: string;
  data: Record<string, { code: string; message: string; params?: Record<string, unknown> }>;
}
