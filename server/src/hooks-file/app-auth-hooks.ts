/** `app.onRecordAuthWithPasswordRequest(handler, ...collections)` and the other per-method auth hooks (hooks/auth-hook-points.ts). */
import type { HookHandler } from '../hooks/hook-chain.ts';
import {
  AUTH_ACTION_HOOK_NAMES,
  collectionOfAuthEvent,
  type RecordAuthFlowHookEvent,
  type RecordAuthWithOAuth2HookEvent,
  type RecordAuthWithOTPHookEvent,
  type RecordAuthWithPasswordHookEvent,
  type RecordEmailChangeHookEvent,
  type RecordRequestOTPHookEvent,
} from '../hooks/auth-hook-points.ts';
import type { AppPart } from './hooks-app.ts';

type Bind<E> = (handler: HookHandler<E>, ...collections: string[]) => void;

declare module './hooks-app.ts' {
  interface HooksApp {
    onRecordAuthWithPasswordRequest: Bind<RecordAuthWithPasswordHookEvent>;
    onRecordAuthWithOTPRequest: Bind<RecordAuthWithOTPHookEvent>;
    onRecordAuthWithOAuth2Request: Bind<RecordAuthWithOAuth2HookEvent>;
    onRecordRequestOTPRequest: Bind<RecordRequestOTPHookEvent>;
    onRecordRequestPasswordResetRequest: Bind<RecordAuthFlowHookEvent>;
    onRecordConfirmPasswordResetRequest: Bind<RecordAuthFlowHookEvent>;
    onRecordRequestVerificationRequest: Bind<RecordAuthFlowHookEvent>;
    onRecordConfirmVerificationRequest: Bind<RecordAuthFlowHookEvent>;
    onRecordRequestEmailChangeRequest: Bind<RecordEmailChangeHookEvent>;
    onRecordConfirmEmailChangeRequest: Bind<RecordEmailChangeHookEvent>;
  }
}

export const authHooksPart: AppPart = ({ registry }) =>
  Object.fromEntries(
    AUTH_ACTION_HOOK_NAMES.map((name) => [name, (handler: HookHandler<any>, ...collections: string[]) => registry.chain(name, collectionOfAuthEvent).bind(handler, ...collections)]),
  );
