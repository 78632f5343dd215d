/**
 * Auth collection options: PocketBase's defaults (durations, flags, template subjects and the links
 * its dashboard handles) and the merge of what a schema file gives over them.
 */
import type { AuthOptions, EmailTemplate } from './model.ts';

const template = (subject: string, lines: string[]): EmailTemplate => ({
  subject,
  body: ['<p>Hello,</p>', ...lines.map((l) => `<p>${l}</p>`), '<p>Thanks,<br/>{APP_NAME} team</p>'].join('\n'),
});

const link = (path: string, label: string) => `<a class="btn" href="{APP_URL}/_/#/auth/${path}/{TOKEN}" target="_blank" rel="noopener">${label}</a>`;

/** wire: subjects and placeholders as PocketBase has them; bodies are Galley's own short text. */
export const DEFAULT_TEMPLATES = {
  verificationTemplate: template('Verify your {APP_NAME} email', [
    'Click the button below to verify your email address.',
    link('confirm-verification', 'Verify'),
  ]),
  resetPasswordTemplate: template('Reset your {APP_NAME} password', [
    'Click the button below to reset your password.',
    link('confirm-password-reset', 'Reset password'),
    "If you didn't ask to reset your password, you can ignore this email.",
  ]),
  confirmEmailChangeTemplate: template('Confirm your {APP_NAME} new email address', [
    'Click the button below to confirm your new email address.',
    link('confirm-email-change', 'Confirm new email'),
    "If you didn't ask to change your email address, you can ignore this email.",
  ]),
  otp: template('OTP for {APP_NAME}', [
    'Your one-time password is: <strong>{OTP}</strong>',
    "If you didn't ask for the one-time password, you can ignore this email.",
  ]),
  authAlert: template('Login from a new location', [
    'We noticed a login to your {APP_NAME} account from a new location: <em>{ALERT_INFO}</em>',
    "If this wasn't you, change your password right away to revoke access from all other locations.",
    "If this was you, you can ignore this email.",
  ]),
};

/** A fresh copy of PocketBase's defaults for a new auth collection (§6.7). */
export function createDefaultAuthOptions(): AuthOptions {
  return {
    authRule: '',
    manageRule: null,
    authAlert: { enabled: true, emailTemplate: { ...DEFAULT_TEMPLATES.authAlert } },
    oauth2: { enabled: false, mappedFields: { id: '', name: '', username: '', avatarURL: '' }, providers: [] },
    passwordAuth: { enabled: true, identityFields: ['email'] },
    mfa: { enabled: false, duration: 600, rule: '' },
    otp: { enabled: false, duration: 180, length: 8, emailTemplate: { ...DEFAULT_TEMPLATES.otp } },
    authToken: { duration: 432000 },
    passwordResetToken: { duration: 1800 },
    emailChangeToken: { duration: 1800 },
    verificationToken: { duration: 86400 },
    fileToken: { duration: 180 },
    verificationTemplate: { ...DEFAULT_TEMPLATES.verificationTemplate },
    resetPasswordTemplate: { ...DEFAULT_TEMPLATES.resetPasswordTemplate },
    confirmEmailChangeTemplate: { ...DEFAULT_TEMPLATES.confirmEmailChangeTemplate },
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep-merge `given` over `base`, keeping only keys the base has (plus array values as given). */
function mergeOver<T>(base: T, given: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(given)) return given === undefined ? base : (given as T);
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(given)) {
    if (!(key in base) || value === undefined) continue;
    const current = (base as Record<string, unknown>)[key];
    out[key] = isPlainObject(current) ? mergeOver(current, value) : value;
  }
  return out as T;
}

/** The collection's auth options: defaults with the file's (already shape-checked) values over them. */
export function resolveAuthOptions(raw: Record<string, unknown>): AuthOptions {
  const out = createDefaultAuthOptions();
  for (const key of Object.keys(out) as Array<keyof AuthOptions>) {
    if (raw[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = mergeOver(out[key], raw[key]);
  }
  out.oauth2.providers = Array.isArray(out.oauth2.providers) ? out.oauth2.providers.map((p) => ({ ...p })) : [];
  return out;
}
