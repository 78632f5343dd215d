/**
 * Auth mail: a collection's template (subject + HTML body) with PocketBase's placeholders filled in, wrapped
 * in a small HTML layout, and sent with the settings' sender. Placeholders are replaced in one pass, so a
 * value that itself looks like `{TOKEN}` (a user's name) is never expanded.
 */
import type { Core, Settings } from '../core.ts';
import { triggerMailSend, triggerRecordMailSend } from '../hooks/mail-hook-points.ts';
import { formatMailForConsole, sendMail, type MailMessage } from '../lib/mail.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel, EmailTemplate } from '../schema/model.ts';

/** wire: the `template` names of POST /api/settings/test/email. */
export type AuthMailKind = 'verification' | 'password-reset' | 'email-change' | 'otp' | 'login-alert';

export interface AuthMailValues {
  token?: string;
  otp?: string;
  otpId?: string;
  alertInfo?: string;
}

const PLACEHOLDER = /\{(APP_NAME|APP_URL|TOKEN|OTP|OTP_ID|ALERT_INFO|RECORD:\w+)\}/g;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function wireText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(wireText).join(', ');
  return JSON.stringify(value);
}

/** Placeholder → plain value: app meta, the flow's values and `{RECORD:field}` for each visible field. */
function collectPlaceholders(settings: Settings, collection: CollectionModel, row: Record<string, unknown>, values: AuthMailValues) {
  const map = new Map<string, string>([
    ['APP_NAME', settings.meta.appName],
    ['APP_URL', settings.meta.appURL.replace(/\/+$/, '')],
    ['TOKEN', values.token ?? ''],
    ['OTP', values.otp ?? ''],
    ['OTP_ID', values.otpId ?? ''],
    ['ALERT_INFO', values.alertInfo ?? ''],
  ]);
  for (const field of collection.fields) {
    const type = fieldTypeOf(field);
    // wire: hidden fields (password, tokenKey, …) never reach a template
    if (field.hidden || type.neverOnWire) continue;
    const value = field.name in row ? type.fromStorage(row[field.name], field) : type.zero(field);
    map.set(`RECORD:${field.name}`, wireText(value));
  }
  return map;
}

function fillTemplate(text: string, map: Map<string, string>, escape: boolean): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = map.get(name);
    if (value === undefined) return whole;
    return escape ? escapeHtml(value) : value;
  });
}

function wrapInLayout(subject: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${escapeHtml(subject)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;font-size:14px;line-height:1.5;color:#16161a;padding:20px 30px}',
    '.btn{display:inline-block;padding:8px 16px;border-radius:4px;background:#16161a;color:#fff!important;text-decoration:none}</style>',
    `</head><body>${body}</body></html>`,
  ].join('\n');
}

/** The subject (plain text) and the HTML body of one mail, values escaped for HTML in the body. */
export function renderAuthMail(
  settings: Settings,
  collection: CollectionModel,
  row: Record<string, unknown>,
  template: EmailTemplate,
  values: AuthMailValues,
): { subject: string; html: string } {
  const map = collectPlaceholders(settings, collection, row, values);
  const subject = fillTemplate(template.subject, map, false).replace(/[\r\n]+/g, ' ');
  return { subject, html: wrapInLayout(subject, fillTemplate(template.body, map, true)) };
}

export function templateOf(collection: CollectionModel, kind: AuthMailKind): EmailTemplate {
  const auth = collection.auth!;
  switch (kind) {
    case 'verification':
      return auth.verificationTemplate;
    case 'password-reset':
      return auth.resetPasswordTemplate;
    case 'email-change':
      return auth.confirmEmailChangeTemplate;
    case 'otp':
      return auth.otp.emailTemplate;
    case 'login-alert':
      return auth.authAlert.emailTemplate;
  }
}

/** Whether an auth mail can leave at all: over SMTP, or printed to stdout (`serve --dev` without SMTP). */
export function canSendAuthMail(core: Core): boolean {
  return core.settings.current().smtp.enabled || core.config.dev;
}

/** wire: PocketBase's event Meta of each template's hook. */
function mailMetaOf(kind: AuthMailKind, to: string, values: AuthMailValues): Record<string, unknown> {
  switch (kind) {
    case 'verification':
    case 'password-reset':
      return { token: values.token ?? '' };
    case 'email-change':
      return { token: values.token ?? '', newEmail: to };
    case 'otp':
      return { otpId: values.otpId ?? '', password: values.otp ?? '' };
    case 'login-alert':
      return { info: values.alertInfo ?? '' };
  }
}

/**
 * Send one mail of the app's (auth mail, a hooks file's `app.sendMail`) through the onMailerSend hooks: over SMTP,
 * or printed to stdout in `serve --dev` without SMTP. A hook that vetoes it makes this resolve without sending.
 */
export async function sendAppMail(core: Core, message: MailMessage): Promise<void> {
  await triggerMailSend(core.hooks.registry, core.log, message, async (m) => {
    const settings = core.settings.current();
    if (!settings.smtp.enabled && core.config.dev) {
      // Galley: in dev without SMTP the mail is printed, so a local sign-up, reset or OTP login can be finished
      process.stdout.write(formatMailForConsole(m, 'galley --dev: no SMTP configured, so this mail is printed here instead of sent'));
      return;
    }
    await sendMail(settings.smtp, m);
  });
}

/** Render and send one auth mail to `to` (the record's email, or the new one for an email change), through its template's hooks. */
export async function sendAuthMail(
  core: Core,
  collection: CollectionModel,
  row: Record<string, unknown>,
  kind: AuthMailKind,
  to: string,
  values: AuthMailValues,
): Promise<void> {
  const settings = core.settings.current();
  const { subject, html } = renderAuthMail(settings, collection, row, templateOf(collection, kind), values);
  const message: MailMessage = {
    from: { name: settings.meta.senderName, address: settings.meta.senderAddress },
    to: [{ address: to }],
    subject,
    html,
  };
  const meta = mailMetaOf(kind, to, values);
  await triggerRecordMailSend(core.hooks.registry, core.log, { kind, collection, row, meta, message }, (m) => sendAppMail(core, m));
}

/**
 * Send in the background, after the answer has left: the answer never waits for token signing, rendering
 * or SMTP (and so never tells, by its timing, whether a mail went out). Failures are logged.
 */
export function sendAuthMailLater(
  core: Core,
  collection: CollectionModel,
  row: Record<string, unknown>,
  kind: AuthMailKind,
  to: string,
  values: () => Promise<AuthMailValues>,
): void {
  setTimeout(() => {
    void values()
      .then((v) => sendAuthMail(core, collection, row, kind, to, v))
      .catch((err: unknown) => {
        core.log.error('auth mail not sent', { kind, collection: collection.name, error: err instanceof Error ? err.message : String(err) });
      });
  }, 0);
}
