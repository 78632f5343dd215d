// Mail: POST /api/settings/test/email through a real SMTP server on 127.0.0.1, every template, SMTP AUTH,
// placeholders filled once and escaped, and the SDK's settings.testEmail.
import { decodeJwt } from 'jose';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAuthMail } from '../../src/auth/mail-templates.ts';
import { runScenario, signUp, superuserToken, type Scenario } from '../helpers/test-galley.ts';
import { authSchema, startAuthGalley, type AuthTestGalley } from './harness.ts';
import { smtpSettings, startTestSmtp, tokenFromMail, type TestSmtp } from './smtp.ts';

let t: AuthTestGalley;
let smtp: TestSmtp;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  smtp = await startTestSmtp({ auth: { user: 'mailer', pass: 'mail-pass' } });
  t = await startAuthGalley(
    authSchema({
      verificationTemplate: { subject: 'Hi {RECORD:name}, verify {APP_NAME}', body: '<p>{RECORD:name} / {RECORD:tokenKey}</p><a href="{APP_URL}/_/#/auth/confirm-verification/{TOKEN}">Verify</a>' },
    }),
    { settings: { ...smtpSettings(smtp, { username: 'mailer', password: 'mail-pass' }), meta: { appName: 'Galley Test', senderName: 'Robot', senderAddress: 'robot@galley.test' } } },
  );
  tokens['root'] = await superuserToken(t);
  tokens['alice'] = (await signUp(t, 'users', { email: 'alice@example.com' })).token;
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const path = '/api/settings/test/email';

describe('POST /api/settings/test/email', () => {
  const table: Scenario[] = [
    { name: 'a guest may not send test mail', method: 'POST', path, body: { email: 'x@example.com', template: 'verification' }, status: 401 },
    { name: 'a user may not send test mail', method: 'POST', path, as: 'alice', body: { email: 'x@example.com', template: 'verification' }, status: 403 },
    { name: 'the email is required', method: 'POST', path, as: 'root', body: { template: 'verification' }, status: 400, contains: ['"email":{"code":"validation_required"'] },
    { name: 'the email must be an address', method: 'POST', path, as: 'root', body: { email: 'nope', template: 'verification' }, status: 400, contains: ['"email":{"code":"validation_is_email"'] },
    { name: 'the template must be known', method: 'POST', path, as: 'root', body: { email: 'x@example.com', template: 'welcome' }, status: 400, contains: ['"template":{"code":"validation_in_invalid"'] },
    { name: 'the collection must be an auth collection', method: 'POST', path, as: 'root', body: { email: 'x@example.com', template: 'otp', collection: 'nope' }, status: 400, contains: ['"collection":{'] },
  ];
  it.each(table)('$name', async (s) => {
    await runScenario(t, s, tokens);
  });

  it.each([
    ['verification', 'Verify your Galley Test email', 'confirm-verification', 'verification'],
    ['password-reset', 'Reset your Galley Test password', 'confirm-password-reset', 'passwordReset'],
    ['email-change', 'Confirm your Galley Test new email address', 'confirm-email-change', 'emailChange'],
  ])('the %s mail arrives from the sender with a dashboard link and a %s token', async (template, subject, action, type) => {
    const to = `${template}@example.com`;
    const res = await t.call('POST', path, { auth: tokens['root'], body: { email: to, template } });
    expect(res.status, res.text).toBe(204);
    const mail = await smtp.waitFor((m) => m.to.includes(to));
    expect(mail.subject).toBe(subject);
    expect(mail.from).toBe('robot@galley.test');
    expect(mail.user).toBe('mailer');
    expect(mail.raw).toMatch(/^From: "?Robot"? <robot@galley\.test>/m);
    const token = tokenFromMail(mail, action);
    expect(mail.html).toContain(`http://localhost:8090/_/#/auth/${action}/${token}`);
    expect(mail.text).toContain(`http://localhost:8090/_/#/auth/${action}/${token}`);
    expect(decodeJwt(token)).toMatchObject({ type, collectionId: 'pbc_3142635823' });
  });

  it('the otp and login-alert mails fill {OTP} and {ALERT_INFO}', async () => {
    await t.call('POST', path, { auth: tokens['root'], body: { email: 'otp@example.com', template: 'otp' } });
    expect((await smtp.waitFor((m) => m.to.includes('otp@example.com'))).html).toContain('<strong>123456</strong>');
    await t.call('POST', path, { auth: tokens['root'], body: { email: 'alert@example.com', template: 'login-alert', collection: 'users' } });
    expect((await smtp.waitFor((m) => m.to.includes('alert@example.com'))).html).toMatch(/TEST_IP TEST_USER_AGENT/);
  });

  it("a collection's own template is used, {RECORD:field} filled for visible fields only", async () => {
    await t.call('POST', path, { auth: tokens['root'], body: { email: 'tpl@example.com', template: 'verification', collection: 'users' } });
    const mail = await smtp.waitFor((m) => m.to.includes('tpl@example.com'));
    expect(mail.subject).toBe('Hi __test_name__, verify Galley Test');
    expect(mail.html).toContain('__test_name__ / {RECORD:tokenKey}');
  });

  it('an SMTP failure is a 400 quoting the error; SMTP off is a 400 too', async () => {
    await t.call('PATCH', '/api/settings', { auth: tokens['root'], body: { smtp: { password: 'wrong' } } });
    const bad = await t.call('POST', path, { auth: tokens['root'], body: { email: 'x@example.com', template: 'otp' } });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/^Failed to send the test email/);
    await t.call('PATCH', '/api/settings', { auth: tokens['root'], body: { smtp: { password: 'mail-pass', enabled: false } } });
    const off = await t.call('POST', path, { auth: tokens['root'], body: { email: 'x@example.com', template: 'otp' } });
    expect(off.status).toBe(400);
    expect(off.json.message).toMatch(/SMTP is not enabled/);
    await t.call('PATCH', '/api/settings', { auth: tokens['root'], body: { smtp: { enabled: true } } });
  });

  it('the SDK settings.testEmail sends', async () => {
    const { url } = await t.galley.listen('127.0.0.1:0');
    const pb = new PocketBase(url);
    await pb.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
    expect(await pb.settings.testEmail('users', 'sdk@example.com', 'password-reset')).toBe(true);
    expect((await smtp.waitFor((m) => m.to.includes('sdk@example.com'))).subject).toBe('Reset your Galley Test password');
  });
});

describe('renderAuthMail', () => {
  const users = t0();
  function t0() {
    return {
      id: 'c1',
      name: 'users',
      type: 'auth' as const,
      fields: [
        { id: 'f1', name: 'name', type: 'text', system: false, hidden: false, presentable: false },
        { id: 'f2', name: 'secret', type: 'text', system: false, hidden: true, presentable: false },
      ],
    };
  }
  const settings = { meta: { appName: 'A&B', appURL: 'https://x.test/', senderName: 'S', senderAddress: 's@x.test' } } as never;

  it('escapes values in the body, fills each placeholder once, never hidden fields, trims the app URL', () => {
    const row = { id: 'r1', name: '<b>{TOKEN}</b>', secret: 'hush' };
    const out = renderAuthMail(settings, users as never, row, { subject: '{APP_NAME}: {RECORD:name}', body: '{APP_URL}/x/{TOKEN} {RECORD:name} {RECORD:secret} {UNKNOWN}' }, { token: 'T0K' });
    expect(out.subject).toBe('A&B: <b>{TOKEN}</b>');
    expect(out.html).toContain('https://x.test/x/T0K &lt;b&gt;{TOKEN}&lt;/b&gt; {RECORD:secret} {UNKNOWN}');
    expect(out.html).not.toContain('hush');
  });
});
