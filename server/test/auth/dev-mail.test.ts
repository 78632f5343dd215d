// serve --dev without SMTP: every auth mail is printed to stdout (framed, links and codes in plain text), and the
// printed link and code finish the flow. Without --dev and without SMTP nothing is printed: the mail is dropped
// with an error in the log, as before.
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createTestLogger } from '../helpers/test-logger.ts';
import { signUp, superuserToken } from '../helpers/test-galley.ts';
import { selfServiceUsers } from '../helpers/users-collection.ts';
import { startAuthGalley, type AuthTestGalley } from './harness.ts';

const schema = [
  selfServiceUsers({ otp: { enabled: true, length: 6 } }),
  // a template that prints a record field, so a control character in it would reach the terminal
  selfServiceUsers({
    name: 'members',
    verificationTemplate: { subject: 'Verify {RECORD:name}', body: '<p>Hi {RECORD:name}</p><a href="{APP_URL}/_/#/auth/confirm-verification/{TOKEN}">Verify</a>' },
  }),
];
const users = '/api/collections/users';

let printed: string[] = [];
let spy: MockInstance;

beforeAll(() => {
  // a capture, not a stand-in: the real write still runs
  const write = process.stdout.write.bind(process.stdout);
  spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    printed.push(String(chunk));
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write);
});

afterAll(() => spy.mockRestore());

/** The first printed mail (since `from`) addressed to `to` whose subject matches. */
async function printedMail(from: number, to: string, subject: RegExp): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const mail = printed
      .slice(from)
      .join('')
      .split('┌')
      .find((block) => block.includes(`To:      ${to}`) && subject.test(block));
    if (mail) return mail;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no printed mail to ${to} matching ${subject}; printed:\n${printed.slice(from).join('')}`);
}

describe('serve --dev without SMTP: mail is printed', () => {
  let t: AuthTestGalley;

  beforeAll(async () => {
    t = await startAuthGalley(schema, { dev: true, settings: { meta: { appURL: 'http://dev.test:8090', appName: 'Dev App' } } });
  }, 60_000);
  afterAll(() => t?.close());

  it('verification: the printed link carries a token that verifies the record', async () => {
    await signUp(t, 'users', { email: 'dev@example.com', name: 'Dev' });
    const from = printed.length;
    const res = await t.call('POST', `${users}/request-verification`, { body: { email: 'dev@example.com' } });
    expect(res.status).toBe(204);
    const mail = await printedMail(from, 'dev@example.com', /Subject: Verify your Dev App email/);
    expect(mail).toContain('galley --dev: no SMTP configured');
    expect(mail).toContain('From:    Support <support@example.com>');
    const token = /Verify: http:\/\/dev\.test:8090\/_\/#\/auth\/confirm-verification\/([\w.-]+)\n/.exec(mail)?.[1];
    expect(token, mail).toBeDefined();
    const confirmed = await t.call('POST', `${users}/confirm-verification`, { body: { token } });
    expect(confirmed.status, confirmed.text).toBe(204);
    const login = await t.call('POST', `${users}/auth-with-password`, { body: { identity: 'dev@example.com', password: 'password123' } });
    expect(login.json.record.verified).toBe(true);
  });

  it('password reset and email change links, and the OTP code, are printed and work', async () => {
    let from = printed.length;
    expect((await t.call('POST', `${users}/request-password-reset`, { body: { email: 'dev@example.com' } })).status).toBe(204);
    const reset = await printedMail(from, 'dev@example.com', /Subject: Reset your Dev App password/);
    const resetToken = /confirm-password-reset\/([\w.-]+)\n/.exec(reset)![1];
    const done = await t.call('POST', `${users}/confirm-password-reset`, { body: { token: resetToken, password: 'printed-pass-1', passwordConfirm: 'printed-pass-1' } });
    expect(done.status, done.text).toBe(204);

    from = printed.length;
    const otp = await t.call('POST', `${users}/request-otp`, { body: { email: 'dev@example.com' } });
    expect(otp.status).toBe(200);
    const otpMail = await printedMail(from, 'dev@example.com', /Subject: OTP for Dev App/);
    const code = /Your one-time password is: (\d{6})/.exec(otpMail)?.[1];
    expect(code, otpMail).toBeDefined();
    const byOtp = await t.call('POST', `${users}/auth-with-otp`, { body: { otpId: otp.json.otpId, password: code } });
    expect(byOtp.status, byOtp.text).toBe(200);

    from = printed.length;
    const change = await t.call('POST', `${users}/request-email-change`, { body: { newEmail: 'dev-new@example.com' }, auth: byOtp.json.token });
    expect(change.status, change.text).toBe(204);
    const changeMail = await printedMail(from, 'dev-new@example.com', /Subject: Confirm your Dev App new email address/);
    const changeToken = /confirm-email-change\/([\w.-]+)\n/.exec(changeMail)![1];
    const changed = await t.call('POST', `${users}/confirm-email-change`, { body: { token: changeToken, password: 'printed-pass-1' } });
    expect(changed.status, changed.text).toBe(204);
  });

  it('a login from a new origin prints the auth alert', async () => {
    const login = (agent: string) =>
      t.call('POST', `${users}/auth-with-password`, { body: { identity: 'dev-new@example.com', password: 'printed-pass-1' }, headers: { 'user-agent': agent }, ip: '10.1.2.3' });
    expect((await login('first-agent')).status).toBe(200);
    const from = printed.length;
    expect((await login('second-agent')).status).toBe(200);
    // the first login was new too (the OTP login had no agent): its alert may print as well
    const alert = await printedMail(from, 'dev-new@example.com', /Subject: Login from a new location[\s\S]*10\.1\.2\.3 second-agent/);
    expect(alert).toContain('We noticed a login to your Dev App account from a new location');
  });

  it('the settings test email is printed too (204, not the 400 it is without SMTP)', async () => {
    const from = printed.length;
    const res = await t.call('POST', '/api/settings/test/email', { auth: await superuserToken(t), body: { email: 'test-mail@example.com', template: 'password-reset' } });
    expect(res.status, res.text).toBe(204);
    expect(await printedMail(from, 'test-mail@example.com', /Subject: Reset your Dev App password/)).toContain('http://dev.test:8090/_/#/auth/confirm-password-reset/');
  });

  it('control characters from record data are shown escaped, never sent to the terminal', async () => {
    await signUp(t, 'members', { email: 'esc@example.com', name: 'Eve\u001b[2J\u0007' });
    const from = printed.length;
    const res = await t.call('POST', '/api/collections/members/request-verification', { body: { email: 'esc@example.com' } });
    expect(res.status).toBe(204);
    const mail = await printedMail(from, 'esc@example.com', /Subject: Verify Eve/);
    expect(mail).toContain('Hi Eve\\u001b[2J\\u0007');
    expect(mail).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });
});

describe('without --dev and without SMTP: nothing is printed (unchanged)', () => {
  let t: AuthTestGalley;
  const logged: string[] = [];

  beforeAll(async () => {
    t = await startAuthGalley(schema, { logger: createTestLogger('error', (line) => logged.push(line)) });
  }, 60_000);
  afterAll(() => t?.close());

  it('request-verification answers 204, prints nothing and logs why the mail was not sent', async () => {
    await signUp(t, 'users', { email: 'quiet@example.com' });
    const from = printed.length;
    expect((await t.call('POST', `${users}/request-verification`, { body: { email: 'quiet@example.com' } })).status).toBe(204);
    for (let i = 0; i < 200 && !logged.some((l) => l.includes('auth mail not sent')); i++) await new Promise((r) => setTimeout(r, 25));
    expect(logged.find((l) => l.includes('auth mail not sent'))).toContain('SMTP is not enabled');
    expect(printed.slice(from).join('')).not.toContain('quiet@example.com');
  });

  it('the settings test email is a 400 naming the cause', async () => {
    const res = await t.call('POST', '/api/settings/test/email', { auth: await superuserToken(t), body: { email: 'quiet@example.com', template: 'verification' } });
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('SMTP is not enabled');
  });
});
