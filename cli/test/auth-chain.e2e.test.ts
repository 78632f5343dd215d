// The whole auth chain through the compiled binary with the official `pocketbase` SDK, unchanged, and a real
// SMTP server on 127.0.0.1 (configured with serve's mail flags) whose mails carry the links and codes:
// sign-up → verification mail → confirm → login → refresh → password change (old tokens die) → reset by mail
// → OTP login (code from the mail) → MFA (password, then OTP with the mfaId) → impersonate.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtp, tokenFromMail, type ReceivedMail, type TestSmtp } from '../../server/test/auth/smtp.ts';
import { makeTempDir, runBinary, startBinary, type RunningBinary } from './helpers/binary.ts';
import { selfServiceUsers } from '../../server/test/helpers/users-collection.ts';
import { expectError } from './helpers/sdk-errors.ts';

const EMAIL = 'chain@example.com';
const schema = [
  selfServiceUsers({
    otp: { enabled: true, length: 6 },
    // MFA for the records that switched it on themselves
    mfa: { enabled: true, rule: 'mfa = true' },
    fields: [
      { name: 'name', type: 'text' },
      { name: 'mfa', type: 'bool' },
    ],
  }),
];

let smtp: TestSmtp;
let server: RunningBinary;
let dir = '';
let userId = '';
let password = 'first-password-1';

const client = () => new PocketBase(server.url);

/** The next mail to EMAIL whose subject matches, not one seen before `since`. */
async function nextMail(since: number, subject: RegExp): Promise<ReceivedMail> {
  return smtp.waitFor((m) => smtp.mails.indexOf(m) >= since && m.to.includes(EMAIL) && subject.test(m.subject), 10_000);
}

async function requestCode(pb: PocketBase): Promise<{ otpId: string; code: string }> {
  const since = smtp.mails.length;
  const { otpId } = await pb.collection('users').requestOTP(EMAIL);
  const mail = await nextMail(since, /^OTP for Chain App$/);
  const code = /<strong>(\d{6})<\/strong>/.exec(mail.html)?.[1];
  if (!code) throw new Error(`no 6-digit code in ${mail.html}`);
  return { otpId, code };
}

beforeAll(async () => {
  smtp = await startTestSmtp({ auth: { user: 'mailer', pass: 'smtp-secret' } });
  dir = makeTempDir();
  const passwordFile = join(dir, 'smtp-password');
  writeFileSync(passwordFile, 'smtp-secret\n');
  server = await startBinary({
    schema,
    dir,
    args: [
      '--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), '--smtp-user', 'mailer', '--smtp-password-file', passwordFile,
      '--sender-address', 'auth@chain.example.com', '--sender-name', 'Chain', '--app-name', 'Chain App', '--app-url', 'https://chain.example.com',
    ],
  });
  const up = await runBinary(['superuser', 'upsert', 'root@example.com', 'rootpass123', '--dir', dir]);
  expect(up.code, up.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await smtp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the auth chain through the binary', () => {
  const pb = () => chain;
  let chain: PocketBase;

  it('sign-up, then the verification mail (sent with the flags’ SMTP login and sender) confirms the email', async () => {
    chain = client();
    const created = await chain.collection('users').create({ email: EMAIL, password, passwordConfirm: password, name: 'Chain' });
    userId = created.id;
    expect(created.verified).toBe(false);
    const since = smtp.mails.length;
    expect(await chain.collection('users').requestVerification(EMAIL)).toBe(true);
    const mail = await nextMail(since, /^Verify your Chain App email$/);
    expect(mail.user).toBe('mailer');
    expect(mail.from).toBe('auth@chain.example.com');
    const token = tokenFromMail(mail, 'confirm-verification');
    expect(mail.html).toContain(`https://chain.example.com/_/#/auth/confirm-verification/${token}`);
    expect(await chain.collection('users').confirmVerification(token)).toBe(true);
  });

  it('login, then refresh', async () => {
    const auth = await pb().collection('users').authWithPassword(EMAIL, password);
    expect(auth.record.verified).toBe(true);
    expect(pb().authStore.isValid).toBe(true);
    const refreshed = await pb().collection('users').authRefresh();
    expect(refreshed.record.id).toBe(userId);
  });

  it('a password change ends every earlier token', async () => {
    const other = client();
    await other.collection('users').authWithPassword(EMAIL, password);
    const next = 'second-password-2';
    await pb().collection('users').update(userId, { oldPassword: password, password: next, passwordConfirm: next });
    password = next;
    await expectError(other.collection('users').authRefresh(), 401);
    await expectError(pb().collection('users').authRefresh(), 401);
    await pb().collection('users').authWithPassword(EMAIL, password);
    expect(pb().authStore.isValid).toBe(true);
  });

  it('a password reset by mail', async () => {
    const since = smtp.mails.length;
    expect(await client().collection('users').requestPasswordReset(EMAIL)).toBe(true);
    const token = tokenFromMail(await nextMail(since, /^Reset your Chain App password$/), 'confirm-password-reset');
    const next = 'third-password-3';
    expect(await client().collection('users').confirmPasswordReset(token, next, next)).toBe(true);
    await expectError(client().collection('users').authWithPassword(EMAIL, password), 400);
    password = next;
    await pb().collection('users').authWithPassword(EMAIL, password);
  });

  it('an OTP login with the code from the mail; the code works once', async () => {
    const otp = client();
    const { otpId, code } = await requestCode(otp);
    const auth = await otp.collection('users').authWithOTP(otpId, code);
    expect(auth.record.id).toBe(userId);
    expect(otp.authStore.isValid).toBe(true);
    const again = await expectError(client().collection('users').authWithOTP(otpId, code), 400);
    expect(again.response['message']).toBe('Invalid or expired OTP.');
  });

  it('MFA once switched on: the password answers 401 {mfaId}; the OTP with that mfaId logs in', async () => {
    await pb().collection('users').update(userId, { mfa: true });
    const mfaClient = client();
    const challenge = await expectError(mfaClient.collection('users').authWithPassword(EMAIL, password), 401);
    const mfaId = challenge.response['mfaId'] as string;
    expect(mfaId).toMatch(/^[a-z0-9]{15}$/);
    expect(mfaClient.authStore.isValid).toBe(false);
    const { otpId, code } = await requestCode(mfaClient);
    const done = await mfaClient.collection('users').authWithOTP(otpId, code, { mfaId });
    expect(done.record.id).toBe(userId);
    expect(mfaClient.authStore.isValid).toBe(true);
    // the session is spent
    await expectError(client().collection('users').authWithPassword(EMAIL, password, { mfaId }), 400);
  });

  it('a superuser impersonates the user: a working, non-refreshable token', async () => {
    const admin = client();
    await admin.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
    const as = await admin.collection('users').impersonate(userId, 3600);
    expect(as.authStore.record?.id).toBe(userId);
    expect((await as.collection('users').getOne(userId)).email).toBe(EMAIL);
    const token = as.authStore.token;
    const refreshed = await as.collection('users').authRefresh();
    expect(refreshed.token).toBe(token);
    await expectError(client().collection('users').impersonate(userId, 60), 401);
  });
});
