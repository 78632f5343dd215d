/**
 * The per-method auth request hooks (PocketBase's onRecordAuthWithPasswordRequest … onRecordConfirmEmailChangeRequest)
 * and the one trigger the auth services call (auth/*.ts): after the body is read and validated and the record
 * looked up, before the action; the action is the chain's end, so `await e.next()` performs it. A handler may
 * change the event's fields (the action reads them back), answer itself (`return e.json(…)` without `e.next()`)
 * or throw (a hook error keeps its status and shape). onRecordAuthRequest and onRecordAuthRefreshRequest are the
 * record family's (record-hook-registry.ts).
 */
import type { Logger } from '../lib/log.ts';
import type { CollectionModel } from '../schema/model.ts';
import type { HookChain, HookEvent } from './hook-chain.ts';
import { HookAnswer, toHookFailure } from './hook-errors.ts';
import type { HookRecord } from './hook-record.ts';
import type { HookEvents, HooksRegistry } from './hooks-registry.ts';

interface AuthActionHookEvent extends HookEvent {
  collection: CollectionModel;
  /** Answer the request with this JSON instead (return it without calling `e.next()`). */
  json(status: number, body: unknown): Response;
}

/** `e` of onRecordAuthWithPasswordRequest: `record` is the record the identity names, or null (none). */
export interface RecordAuthWithPasswordHookEvent extends AuthActionHookEvent {
  record: HookRecord | null;
  identity: string;
  /** the body's `identityField`, "" for PocketBase's auto-detection */
  identityField: string;
  password: string;
}

/** `e` of onRecordAuthWithOTPRequest: a valid code, not yet spent (the action deletes it). */
export interface RecordAuthWithOTPHookEvent extends AuthActionHookEvent {
  record: HookRecord;
  /** the `_otps` record */
  otp: HookRecord;
}

/** The provider's user (PocketBase's auth.AuthUser). */
export interface OAuth2UserInfo {
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

/** `e` of onRecordAuthWithOAuth2Request: `record` null means a sign-up (`createData` is its body). */
export interface RecordAuthWithOAuth2HookEvent extends AuthActionHookEvent {
  providerName: string;
  /** the provider's settings in force (endpoints, client id and secret, scopes) */
  providerClient: Readonly<Record<string, unknown>>;
  record: HookRecord | null;
  oauth2User: OAuth2UserInfo;
  createData: Record<string, unknown>;
  /** answered as `meta.isNew` */
  isNewRecord: boolean;
}

/** `e` of onRecordRequestOTPRequest: `record` is null for an email nobody has (the answer is the same). */
export interface RecordRequestOTPHookEvent extends AuthActionHookEvent {
  record: HookRecord | null;
  /** the code about to be mailed */
  password: string;
}

/** `e` of onRecordRequestPasswordResetRequest, onRecordRequestVerificationRequest, the confirm hooks. */
export interface RecordAuthFlowHookEvent extends AuthActionHookEvent {
  record: HookRecord;
}

/** `e` of onRecordRequestEmailChangeRequest / onRecordConfirmEmailChangeRequest. */
export interface RecordEmailChangeHookEvent extends RecordAuthFlowHookEvent {
  newEmail: string;
}

declare module './hooks-registry.ts' {
  interface HookEvents {
    onRecordAuthWithPasswordRequest: RecordAuthWithPasswordHookEvent;
    onRecordAuthWithOTPRequest: RecordAuthWithOTPHookEvent;
    onRecordAuthWithOAuth2Request: RecordAuthWithOAuth2HookEvent;
    onRecordRequestOTPRequest: RecordRequestOTPHookEvent;
    onRecordRequestPasswordResetRequest: RecordAuthFlowHookEvent;
    onRecordConfirmPasswordResetRequest: RecordAuthFlowHookEvent;
    onRecordRequestVerificationRequest: RecordAuthFlowHookEvent;
    onRecordConfirmVerificationRequest: RecordAuthFlowHookEvent;
    onRecordRequestEmailChangeRequest: RecordEmailChangeHookEvent;
    onRecordConfirmEmailChangeRequest: RecordEmailChangeHookEvent;
  }
}

/** wire: PocketBase's names, in the order of its auth routes. */
export const AUTH_ACTION_HOOK_NAMES = [
  'onRecordAuthWithPasswordRequest',
  'onRecordAuthWithOTPRequest',
  'onRecordAuthWithOAuth2Request',
  'onRecordRequestOTPRequest',
  'onRecordRequestPasswordResetRequest',
  'onRecordConfirmPasswordResetRequest',
  'onRecordRequestVerificationRequest',
  'onRecordConfirmVerificationRequest',
  'onRecordRequestEmailChangeRequest',
  'onRecordConfirmEmailChangeRequest',
] as const;

export type AuthActionHookName = (typeof AUTH_ACTION_HOOK_NAMES)[number];
type EventOf<K extends AuthActionHookName> = HookEvents[K];

/** The auth families filter by the event's collection (`app.onRecordAuthWithPasswordRequest(fn, 'users')`). */
export const collectionOfAuthEvent = (e: { collection?: CollectionModel }) => e.collection;

/**
 * Runs `name`'s handlers on an event of `fields`, then `action` on the event as they left it, and answers what the
 * action answered. Without a handler bound the action runs at once. A handler's throw becomes a Galley error
 * (toHookFailure); the action's own errors pass as they are; a handler that answered (or stopped the chain) is
 * thrown as a HookAnswer (an empty 204 when it stopped without answering), as the record request hooks do.
 */
export async function triggerAuthActionHooks<K extends AuthActionHookName, T>(
  registry: HooksRegistry,
  log: Logger,
  name: K,
  fields: Omit<EventOf<K>, 'next' | 'json'>,
  action: (e: Omit<EventOf<K>, 'next' | 'json'>) => Promise<T>,
): Promise<T> {
  const chain = registry.find(name) as HookChain<EventOf<K>> | undefined;
  if (!chain) return action(fields);
  let answer: Response | undefined;
  let done: { value: T } | undefined;
  let failed: { err: unknown } | undefined;
  const e = { ...fields, json: (status: number, body: unknown) => (answer = new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })) };
  try {
    await chain.trigger(e as unknown as Omit<EventOf<K>, 'next'>, async (ev) => {
      try {
        done = { value: await action(ev) };
      } catch (err) {
        failed = { err };
        throw err;
      }
    });
  } catch (err) {
    if (failed && err === failed.err) throw err;
    throw toHookFailure(err, name, log);
  }
  if (done) return done.value;
  throw new HookAnswer(answer ?? new Response(null, { status: 204 }));
}
