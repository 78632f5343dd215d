/** `app.onMailerSend(handler)` and the per-template `app.onMailerRecord*Send(handler, ...collections)` (hooks/mail-hook-points.ts). */
import type { HookHandler } from '../hooks/hook-chain.ts';
import { collectionOfMailEvent, RECORD_MAIL_HOOKS, type MailerHookEvent, type MailerRecordHookEvent } from '../hooks/mail-hook-points.ts';
import type { AppPart } from './hooks-app.ts';

type BindRecordMail = (handler: HookHandler<MailerRecordHookEvent>, ...collections: string[]) => void;

declare module './hooks-app.ts' {
  interface HooksApp {
    /** Every mail the app sends: change `e.message`, or veto it by not calling `e.next()`. */
    onMailerSend(handler: HookHandler<MailerHookEvent>): void;
    onMailerRecordVerificationSend: BindRecordMail;
    onMailerRecordPasswordResetSend: BindRecordMail;
    onMailerRecordEmailChangeSend: BindRecordMail;
    onMailerRecordOTPSend: BindRecordMail;
    onMailerRecordAuthAlertSend: BindRecordMail;
  }
}

export const mailHooksPart: AppPart = ({ registry }) => ({
  onMailerSend: (handler: HookHandler<MailerHookEvent>) => registry.chain('onMailerSend').bind(handler),
  ...Object.fromEntries(
    Object.values(RECORD_MAIL_HOOKS).map((name) => [
      name,
      (handler: HookHandler<MailerRecordHookEvent>, ...collections: string[]) => registry.chain(name, collectionOfMailEvent).bind(handler, ...collections),
    ]),
  ),
});
