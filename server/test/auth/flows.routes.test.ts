// The mail flows (verification, password reset, email change), impersonation and auth-methods, through the
// routes on temp data dirs, with the mails read from a real SMTP server on 127.0.0.1.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, signUp, superuserToken, type Scenario } from '../helpers/test-galley.ts';
import { startAuthGalley, type AuthTestGalley } from './harness.ts';
import { smtpSettings, startTestSmtp, tokenFromMail, type ReceivedMail, type TestSmtp } from './smtp.ts';
import { selfServiceUsers } from '../helpers/users-collection.ts';

const schema = [
  selfServiceUsers(),
  { name: 'staff', type: 'auth', listRule: null, viewRule: null, createRule: '', updateRule: null, deleteRule: null, fields: [] },
  { name: 'codeonly', type: 'auth', createRule: '', passwordAuth: { enabled: false }, oauth2: { enabled: true }, otp: { enabled: true }, mfa: { enabled: true, duration: 300 }, fields: [] },
  { name: 'notes', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] },
];

let t: AuthTestGalley;
let smtp: TestSmtp;
let root = '';

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startAuthGalley(schema, { settings: { ...smtpSettings(smtp), meta: { appName: 'Flows', appURL: 'https://app.example.com/' } } });
  root = await superuserToken(t);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const users = '/api/collections/users';
const post = (path: string, body: unknown, auth?: string | null) => t.call('POST', path, { body, auth });
const mailsTo = (to: string) => smtp.mails.filter((m) => m.to.includes(to));
const waitMail = (to: string, subject: RegExp): Promise<ReceivedMail> => smtp.waitFor((m) => m.to.includes(to) && subject.test(m.subject));
const settle = () => new Promise((r) => setTimeout(r, 300));

async function login(email: string, password: string) {
  return post(`${users}/auth-with-password`, { identity: email, password });
}

async function viewSelf(id: string, token: string) {
  return t.call('GET', `${users}/records/${id}`, { auth: token });
}

describe('verification', () => {
  let bob: { id: string; token: string };
  let token = '';
  beforeAll(async () => {
    bob = await signUp(t, 'users', { email: 'bob@example.com', name: 'Bob' });
  });

  it('a request answers 204 and mails a link to the dashboard route with a verification token', async () => {
    const res = await post(`${users}/request-verification`, { email: 'bob@example.com' });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const mail = await waitMail('bob@example.com', /^Verify your Flows email$/);
    token = tokenFromMail(mail, 'confirm-verification');
    expect(mail.html).toContain(`https://app.example.com/_/#/auth/confirm-verification/${token}`);
    expect(decodeJwt(token)).toMatchObject({ id: bob.id, type: 'verification', email: 'bob@example.com' });
  });

  it('an unknown email gets the same 204 and no mail; a second request within 2 minutes sends nothing', async () => {
    const unknown = await post(`${users}/request-verification`, { email: 'nobody@example.com' });
    expect([unknown.status, unknown.text]).toEqual([204, '']);
    await post(`${users}/request-verification`, { email: 'bob@example.com' });
    await settle();
    expect(mailsTo('nobody@example.com')).toHaveLength(0);
    expect(mailsTo('bob@example.com')).toHaveLength(1);
  });

  const refusals: Scenario[] = [
    { name: 'request-verification refuses a malformed email', method: 'POST', path: `${users}/request-verification`, body: { email: 'nope' }, status: 400, contains: ['"email":{"code":"validation_is_email"'], events: [] },
    { name: 'request-verification refuses a missing email', method: 'POST', path: `${users}/request-verification`, body: {}, status: 400, contains: ['"email":{"code":"validation_required"'], events: [] },
    { name: 'request-verification refuses superusers', method: 'POST', path: '/api/collections/_superusers/request-verification', body: { email: 'root@example.com' }, status: 400, contains: ['All superusers are verified by default.'], events: [] },
    { name: 'request-verification refuses a base collection', method: 'POST', path: '/api/collections/notes/request-verification', body: { email: 'bob@example.com' }, status: 404, contains: ['Missing or invalid auth collection context.'], events: [] },
    { name: 'request-verification refuses an unknown collection', method: 'POST', path: '/api/collections/nope/request-verification', body: { email: 'bob@example.com' }, status: 404, contains: ['Missing or invalid auth collection context.'], events: [] },
  ];
  it.each(refusals)('$name', async (s) => {
    await runScenario(t, s);
  });

  it('the token is refused as an auth token, on another auth collection, and when garbled', async () => {
    expect((await t.call('POST', `${users}/auth-refresh`, { auth: token })).status).toBe(401);
    const other = await post('/api/collections/staff/confirm-verification', { token });
    expect(other.status).toBe(400);
    expect(other.text).toContain('The provided token is for different auth collection.');
    const garbled = await post(`${users}/confirm-verification`, { token: token.slice(0, -2) + 'xx' });
    expect(garbled.status).toBe(400);
    expect(garbled.json.data.token.code).toBe('validation_invalid_token');
    const auth = await post(`${users}/confirm-verification`, { token: bob.token });
    expect(auth.status).toBe(400);
    expect((await post(`${users}/confirm-verification`, {})).json.data.token.code).toBe('validation_required');
  });

  it('confirming marks the record verified; confirming again is a 204; a verified record gets no more mail', async () => {
    expect((await viewSelf(bob.id, bob.token)).json.verified).toBe(false);
    expect((await post(`${users}/confirm-verification`, { token })).status).toBe(204);
    expect((await viewSelf(bob.id, bob.token)).json.verified).toBe(true);
    expect((await post(`${users}/confirm-verification`, { token })).status).toBe(204);
    const before = mailsTo('bob@example.com').length;
    expect((await post(`${users}/request-verification`, { email: 'bob@example.com' })).status).toBe(204);
    await settle();
    expect(mailsTo('bob@example.com')).toHaveLength(before);
  });
});

describe('password reset', () => {
  let carol: { id: string; token: string };
  let token = '';
  beforeAll(async () => {
    carol = await signUp(t, 'users', { email: 'carol@example.com' });
  });

  it('a request answers 204 and mails a reset link; unknown emails get the same 204', async () => {
    const res = await post(`${users}/request-password-reset`, { email: 'carol@example.com' });
    expect([res.status, res.text]).toEqual([204, '']);
    const unknown = await post(`${users}/request-password-reset`, { email: 'ghost@example.com' });
    expect([unknown.status, unknown.text]).toEqual([204, '']);
    const mail = await waitMail('carol@example.com', /^Reset your Flows password$/);
    token = tokenFromMail(mail, 'confirm-password-reset');
    expect(decodeJwt(token)).toMatchObject({ id: carol.id, type: 'passwordReset', email: 'carol@example.com' });
    await settle();
    expect(mailsTo('ghost@example.com')).toHaveLength(0);
  });

  it.each([
    ['mismatched confirmation', { password: 'newpassword1', passwordConfirm: 'other' }, 'passwordConfirm', 'validation_values_mismatch'],
    // wire: PocketBase's confirm form checks the length (field min to 255) first; the field's own rules after it
    ['a password below the field minimum', { password: 'short', passwordConfirm: 'short' }, 'password', 'validation_length_out_of_range'],
    ['a password over 255 characters', { password: 'p'.repeat(256), passwordConfirm: 'p'.repeat(256) }, 'password', 'validation_length_out_of_range'],
    ['a password over 71 characters (no silent truncation)', { password: 'p'.repeat(72), passwordConfirm: 'p'.repeat(72) }, 'password', 'validation_max_text_constraint'],
    ['a missing password', {}, 'password', 'validation_required'],
  ])('confirm refuses %s', async (_name, body, key, code) => {
    const res = await post(`${users}/confirm-password-reset`, { token, ...body });
    expect(res.status, res.text).toBe(400);
    expect(res.json.data[key].code).toBe(code);
  });

  it('the token works once: new password in, old password and every earlier token out, record verified', async () => {
    const long = 'L'.repeat(64);
    expect((await post(`${users}/confirm-password-reset`, { token, password: long, passwordConfirm: long })).status).toBe(204);
    expect((await login('carol@example.com', 'password123')).status).toBe(400);
    const fresh = await login('carol@example.com', long);
    expect(fresh.status).toBe(200);
    expect(fresh.json.record.verified).toBe(true);
    expect((await t.call('POST', `${users}/auth-refresh`, { auth: carol.token })).status).toBe(401);
    expect((await viewSelf(carol.id, carol.token)).status).toBe(404);
    const again = await post(`${users}/confirm-password-reset`, { token, password: 'another-pass', passwordConfirm: 'another-pass' });
    expect(again.status).toBe(400);
    expect(again.json.data.token.code).toBe('validation_invalid_token');
  });

  it('collections without password auth refuse reset requests', async () => {
    const res = await post('/api/collections/codeonly/request-password-reset', { email: 'x@example.com' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('The collection is not configured to allow password authentication.');
  });
});

describe('email change', () => {
  let dave: { id: string; token: string };
  let token = '';
  beforeAll(async () => {
    dave = await signUp(t, 'users', { email: 'dave@example.com' });
    await signUp(t, 'users', { email: 'taken@example.com' });
  });

  const refusals: Scenario[] = [
    { name: 'request refuses a guest', method: 'POST', path: `${users}/request-email-change`, body: { newEmail: 'x@example.com' }, status: 401, events: [] },
    { name: 'request refuses a token of another auth collection', method: 'POST', path: `${users}/request-email-change`, as: 'root', body: { newEmail: 'x@example.com' }, status: 403, events: [] },
    { name: 'request refuses a malformed address', method: 'POST', path: `${users}/request-email-change`, as: 'dave', body: { newEmail: 'nope' }, status: 400, events: [] },
    { name: 'request refuses the current address', method: 'POST', path: `${users}/request-email-change`, as: 'dave', body: { newEmail: 'dave@example.com' }, status: 400, events: [] },
  ];
  it.each(refusals)('$name', async (s) => {
    await runScenario(t, s, { root, dave: dave.token });
  });

  it('superusers change their email directly', async () => {
    const res = await post('/api/collections/_superusers/request-email-change', { newEmail: 'x@example.com' }, root);
    expect(res.status).toBe(400);
    expect(res.text).toContain('All superusers can change their emails directly.');
  });

  it('a taken address answers the same 204 as a free one, and only the free one is mailed', async () => {
    const taken = await post(`${users}/request-email-change`, { newEmail: 'taken@example.com' }, dave.token);
    const free = await post(`${users}/request-email-change`, { newEmail: 'dave2@example.com' }, dave.token);
    expect([taken.status, taken.text]).toEqual([free.status, free.text]);
    expect(free.status).toBe(204);
    const mail = await waitMail('dave2@example.com', /^Confirm your Flows new email address$/);
    token = tokenFromMail(mail, 'confirm-email-change');
    expect(decodeJwt(token)).toMatchObject({ id: dave.id, type: 'emailChange', email: 'dave@example.com', newEmail: 'dave2@example.com' });
    await settle();
    expect(mailsTo('taken@example.com').filter((m) => /new email/.test(m.subject))).toHaveLength(0);
  });

  it('confirm needs the account password; then the email changes, is verified, and old tokens die', async () => {
    const wrong = await post(`${users}/confirm-email-change`, { token, password: 'wrong-password' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.data.password.code).toBe('validation_invalid_password');
    expect((await post(`${users}/confirm-email-change`, { token: 'x.y.z', password: 'password123' })).json.data.token.code).toBe('validation_invalid_token_payload'); // wire: no newEmail in what it reads unverified
    expect((await post(`${users}/confirm-email-change`, { token, password: 'password123' })).status).toBe(204);
    const fresh = await login('dave2@example.com', 'password123');
    expect(fresh.status).toBe(200);
    expect(fresh.json.record).toMatchObject({ email: 'dave2@example.com', verified: true });
    expect((await viewSelf(dave.id, dave.token)).status).toBe(404);
    expect((await post(`${users}/confirm-email-change`, { token, password: 'password123' })).status).toBe(400);
  });
});

describe('impersonate', () => {
  let erin: { id: string; token: string };
  beforeAll(async () => {
    erin = await signUp(t, 'users', { email: 'erin@example.com' });
  });
  const path = () => `${users}/impersonate/${erin.id}`;

  it.each([
    ['a guest', null, 401],
    ['a regular user', 'erin', 403],
  ])('%s may not impersonate', async (_name, who, status) => {
    expect((await post(path(), {}, who ? erin.token : null)).status).toBe(status);
  });

  it('a superuser gets a non-refreshable token with the email, for the given duration or the default', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await post(path(), { duration: 100 }, root);
    expect(res.status, res.text).toBe(200);
    expect(res.json.record).toMatchObject({ id: erin.id, email: 'erin@example.com' });
    const claims = decodeJwt(res.json.token);
    expect(claims).toMatchObject({ id: erin.id, type: 'auth', refreshable: false });
    expect(claims.exp! - now).toBeGreaterThanOrEqual(99);
    expect(claims.exp! - now).toBeLessThanOrEqual(101);
    expect((await viewSelf(erin.id, res.json.token)).status).toBe(200);
    const refreshed = await t.call('POST', `${users}/auth-refresh`, { auth: res.json.token });
    expect(refreshed.json.token).toBe(res.json.token);
    const byDefault = decodeJwt((await post(path(), {}, root)).json.token);
    expect(byDefault.exp! - now).toBeGreaterThanOrEqual(432000 - 1);
  });

  it('an unknown record is a 404, a negative duration a 400', async () => {
    expect((await post(`${users}/impersonate/nope`, {}, root)).status).toBe(404);
    expect((await post(path(), { duration: -1 }, root)).status).toBe(400);
  });
});

describe('auth-methods', () => {
  it("answers PocketBase's full shape", async () => {
    const res = await t.call('GET', `${users}/auth-methods`);
    expect(res.json).toMatchInlineSnapshot(`
      {
        "authProviders": null,
        "emailPassword": true,
        "mfa": {
          "duration": 0,
          "enabled": false,
        },
        "oauth2": {
          "enabled": false,
          "providers": [],
        },
        "otp": {
          "duration": 0,
          "enabled": false,
        },
        "password": {
          "enabled": true,
          "identityFields": [
            "email",
          ],
        },
        "usernamePassword": false,
      }
    `);
  });

  it('reports OTP/MFA durations when on, no identity fields when password auth is off, and the SDK projection', async () => {
    const res = await t.call('GET', '/api/collections/codeonly/auth-methods?fields=mfa,otp,password,oauth2');
    expect(res.json).toEqual({
      password: { enabled: false, identityFields: [] },
      oauth2: { enabled: true, providers: [] },
      mfa: { enabled: true, duration: 300 },
      otp: { enabled: true, duration: 180 },
    });
    expect((await t.call('GET', '/api/collections/notes/auth-methods')).status).toBe(404);
  });
});
