/**
 * The mail families of a hooks registry (PocketBase's onMailerSend and onMailerRecord*Send) and the triggers the
 * senders call. Every mail goes through `triggerMailSend`; an auth mail first through `triggerRecordMailSend`
 * with its template's hook. A hook may change `e.message` or veto the mail by not calling `e.next()` (then
 * nothing is sent and the flow goes on as if it had been). Without a handler bound the mail is delivered at once.
 */
import type { Logger } from '../lib/log.ts';
import type { MailMessage } from '../lib/mail.ts';
import type { CollectionModel } from '../schema/model.ts';
import type { HookEvent } from './hook-chain.ts';
import { toHookFailure } from './hook-errors.ts';
import { createHookRecord, type HookRecord } from './hook-record.ts';
import type { HooksRegistry } from './hooks-registry.ts';

/** wire: the auth mail templates, as `POST /api/settings/test/email` names them. */
export type RecordMailKind = 'verification' | 'password-reset' | 'email-change' | 'otp' | 'login-alert';

export type DeliverMail = (message: MailMessage) => Promise<void>;

/** `e` of onMailerSend: the message about to leave (change its fields, or replace it). */
export interface MailerHookEvent extends HookEvent {
  message: MailMessage;
}

/** `e` of an onMailerRecord*Send hook. */
export interface MailerRecordHookEvent extends MailerHookEvent {
  collection: CollectionModel;
  /** the auth record the mail is about */
  record: HookRecord;
  /** wire: PocketBase's Meta per template: {token}; {token, newEmail}; {otpId, password}; {info} */
  meta: Record<string, unknown>;
}

declare module './hooks-registry.ts' {
  interface HookEvents {
    onMailerSend: MailerHookEvent;
    onMailerRecordVerificationSend: MailerRecordHookEvent;
    onMailerRecordPasswordResetSend: MailerRecordHookEvent;
    onMailerRecordEmailChangeSend: MailerRecordHookEvent;
    onMailerRecordOTPSend: MailerRecordHookEvent;
    onMailerRecordAuthAlertSend: MailerRecordHookEvent;
  }
}

/** wire: PocketBase's hook for each template. */
export const RECORD_MAIL_HOOKS = {
  verification: 'onMailerRecordVerificationSend',
  'password-reset': 'onMailerRecordPasswordResetSend',
  'email-change': 'onMailerRecordEmailChangeSend',
  otp: 'onMailerRecordOTPSend',
  'login-alert': 'onMailerRecordAuthAlertSend',
} as const satisfies Record<RecordMailKind, string>;

export type RecordMailHookName = (typeof RECORD_MAIL_HOOKS)[RecordMailKind];

/** The record mail families filter by the auth record's collection (`app.onMailerRecordOTPSend(fn, 'users')`). */
export const collectionOfMailEvent = (e: { collection?: CollectionModel }) => e.collection;

/** Any mail: the onMailerSend hooks, then `deliver` with the message as they left it (nothing when one vetoed). */
export async function triggerMailSend(registry: HooksRegistry, log: Logger, message: MailMessage, deliver: DeliverMail): Promise<void> {
  const chain = registry.find('onMailerSend');
  if (!chain) return deliver(message);
  try {
    await chain.trigger({ message } as Omit<MailerHookEvent, 'next'>, (e) => deliver(e.message));
  } catch (err) {
    throw toHookFailure(err, 'onMailerSend', log);
  }
}

/** An auth mail: its template's hooks, then `deliver` (which goes on through onMailerSend). */
export async function triggerRecordMailSend(
  registry: HooksRegistry,
  log: Logger,
  mail: { kind: RecordMailKind; collection: CollectionModel; row: Record<string, unknown>; meta: Record<string, unknown>; message: MailMessage },
  deliver: DeliverMail,
): Promise<void> {
  const name = RECORD_MAIL_HOOKS[mail.kind];
  const chain = registry.find(name);
  if (!chain) return deliver(mail.message);
  const e = { collection: mail.collection, record: createHookRecord(mail.collection, { ...mail.row }, 'storage'), meta: mail.meta, message: mail.message };
  try {
    await chain.trigger(e as Omit<MailerRecordHookEvent, 'next'>, (ev) => deliver(ev.message));
  } catch (err) {
    throw toHookFailure(err, name, log);
  }
}
