/**
 * The per-method auth request hooks of `HooksApp` (types only; the server builds them): PocketBase's JS names and
 * event fields. Each runs after the request's body is read and validated, before the action; `await e.next()`
 * performs it; a handler may change the fields below, answer itself (`return e.json(…)`) or throw.
 */
import type { AnySchema, CollectionsOf } from '../types/schema.ts';
import type { HookCollection, HookEventBase, HookRecord, HookRecordValues } from './hooks-app.ts';

type AuthCollectionNames<S> = CollectionsOf<S> extends infer C ? (C extends { readonly name: infer N extends string; readonly type: 'auth' } ? N : never) : never;
/** The schema's auth collections' names (any name for an untyped schema). */
type AuthNames<S> = [S] extends [AnySchema] ? string : [AuthCollectionNames<S>] extends [never] ? string : AuthCollectionNames<S>;

interface AuthActionEvent<R> extends HookEventBase {
  collection: HookCollection;
  record: HookRecord<R>;
  /** Answer the request with this JSON instead: `return e.json(200, {...})` without calling `e.next()`. */
  json(status: number, body: unknown): Response;
}

/** `e` of onRecordAuthWithPasswordRequest: `record` is the record the identity names, or null. */
export interface RecordAuthWithPasswordEvent<R> extends Omit<AuthActionEvent<R>, 'record'> {
  /** null when no record has the identity (set one to sign in as it; the password is still checked) */
  record: HookRecord<R> | null;
  identity: string;
  /** "" for auto-detection; changing it or `identity` looks the record up again */
  identityField: string;
  password: string;
}

/** `e` of onRecordAuthWithOTPRequest: a valid code, spent by `e.next()`. */
export interface RecordAuthWithOTPEvent<R> extends AuthActionEvent<R> {
  otp: HookRecord<{ id: string; collectionRef: string; recordRef: string; sentTo: string; created: string; updated: string }>;
}

/** The provider's user (PocketBase's AuthUser); answered in `meta`. */
export interface OAuth2User {
  id: string;
  name: string;
  username: string;
  email: string;
  avatarURL: string;
  rawUser: Record<string, unknown>;
  accessToken: string;
  refreshToken: string;
  expiry: Date | null;
}

/** `e` of onRecordAuthWithOAuth2Request: `record` null means a sign-up with `createData` as its body. */
export interface RecordAuthWithOAuth2Event<R> extends Omit<AuthActionEvent<R>, 'record'> {
  providerName: string;
  /** the provider's settings in force (endpoints, client id and secret, scopes) */
  providerClient: Readonly<Record<string, unknown>>;
  record: HookRecord<R> | null;
  oauth2User: OAuth2User;
  createData: Record<string, unknown>;
  /** answered as `meta.isNew` */
  isNewRecord: boolean;
}

/** `e` of onRecordRequestOTPRequest: `record` is null for an email nobody has, and the answer stays the same. */
export interface RecordRequestOTPEvent<R> extends Omit<AuthActionEvent<R>, 'record'> {
  record: HookRecord<R> | null;
  /** the code about to be mailed */
  password: string;
}

/** `e` of onRecordRequestPasswordResetRequest, onRecordRequestVerificationRequest and the confirm hooks. */
export type RecordAuthFlowEvent<R> = AuthActionEvent<R>;

/** `e` of onRecordRequestEmailChangeRequest / onRecordConfirmEmailChangeRequest. */
export interface RecordEmailChangeEvent<R> extends AuthActionEvent<R> {
  newEmail: string;
}

type On<S, Ev extends 'password' | 'otp' | 'oauth2' | 'requestOtp' | 'flow' | 'email'> = <N extends AuthNames<S> = AuthNames<S>>(
  handler: (e: EventOf<Ev, HookRecordValues<S, N>>) => unknown,
  ...collections: N[]
) => void;
type EventOf<Ev, R> = Ev extends 'password'
  ? RecordAuthWithPasswordEvent<R>
  : Ev extends 'otp'
    ? RecordAuthWithOTPEvent<R>
    : Ev extends 'oauth2'
      ? RecordAuthWithOAuth2Event<R>
      : Ev extends 'requestOtp'
        ? RecordRequestOTPEvent<R>
        : Ev extends 'email'
          ? RecordEmailChangeEvent<R>
          : RecordAuthFlowEvent<R>;

export interface AuthHooks<S> {
  /** Before the password is checked: change `e.identity`/`e.password`/`e.record`, or throw to refuse the sign-in. */
  onRecordAuthWithPasswordRequest: On<S, 'password'>;
  /** Before a valid code is spent and the sign-in answered. */
  onRecordAuthWithOTPRequest: On<S, 'otp'>;
  /** Before the record found is updated and linked (or a new one created: `e.isNewRecord`). */
  onRecordAuthWithOAuth2Request: On<S, 'oauth2'>;
  /** Before a code is issued; `e.record` is null for an unknown email. */
  onRecordRequestOTPRequest: On<S, 'requestOtp'>;
  /** Before a reset mail goes to a record found (an unknown email never reaches the hook). */
  onRecordRequestPasswordResetRequest: On<S, 'flow'>;
  onRecordConfirmPasswordResetRequest: On<S, 'flow'>;
  /** Before a verification mail goes to a record found (an unknown email never reaches the hook). */
  onRecordRequestVerificationRequest: On<S, 'flow'>;
  onRecordConfirmVerificationRequest: On<S, 'flow'>;
  onRecordRequestEmailChangeRequest: On<S, 'email'>;
  onRecordConfirmEmailChangeRequest: On<S, 'email'>;
}
