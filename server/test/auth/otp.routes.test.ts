// OTP login: request-otp mails a code (read from a real SMTP server on 127.0.0.1), auth-with-otp spends it.
// Codes are single-use, live otp.duration seconds, allow 5 wrong tries, and die with the record's tokenKey.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, signUp, superuserToken, type Scenario } from '../helpers/test-galley.ts';
import { startAuthGalley, type AuthTestGalley } from './harness.ts';
import { smtpSettings, startTestSmtp, type ReceivedMail, type TestSmtp } from './smtp.ts';
import { selfServiceUsers } from '../helpers/users-collection.ts';

const otpTemplate = { subject: 'Code for {APP_NAME}', body: '<p>Code <b>{OTP}</b> for request {OTP_ID} ({RECORD:name})</p>' };
const schema = [
  selfServiceUsers({
    otp: { enabled: true, length: 6, emailTemplate: otpTemplate },
  }),
  { name: 'plain', type: 'auth', createRule: '', fields: [] },
  { name: 'members', type: 'auth', createRule: '', otp: { enabled: true }, fields: [] },
];

let t: AuthTestGalley;
let smtp: TestSmtp;
let root = '';
const users = '/api/collections/users';

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startAuthGalley(schema, { settings: { ...smtpSettings(smtp), meta: { appName: 'Otp App' } } });
  root = await superuserToken(t);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const post = (path: string, body: unknown, opts: { auth?: string | null; ip?: string } = {}) => t.call('POST', path, { body, ...opts });
const settle = () => new Promise((r) => setTimeout(r, 300));

/** request-otp, then the mail that carries the code for that otpId. */
async function requestCode(email: string, collection = 'users'): Promise<{ otpId: string; code: string; mail: ReceivedMail }> {
  const seen = new Set(smtp.mails);
  const res = await post(`/api/collections/${collection}/request-otp`, { email });
  expect(res.status, res.text).toBe(200);
  const otpId = res.json.otpId as string;
  const mail = await smtp.waitFor((m) => m.to.includes(email) && !seen.has(m));
  const code = /Code <b>(\d+)<\/b>/.exec(mail.html)?.[1] ?? /<strong>(\d+)<\/strong>/.exec(mail.html)?.[1];
  if (!code) throw new Error(`no code in ${mail.html}`);
  return { otpId, code, mail };
}

async function ageOtp(otpId: string, seconds: number): Promise<void> {
  const created = new Date(Date.now() - seconds * 1000).toISOString().replace('T', ' ');
  await t.galley.core.db.writer.run((tx) => tx.db.updateTable('_otps').set({ created }).where('id', '=', otpId).execute());
}

describe('request-otp', () => {
  it('answers {otpId} and mails the code with the collection template (APP_NAME, OTP, OTP_ID, RECORD:)', async () => {
    await signUp(t, 'users', { email: 'ann@example.com', name: 'Ann' });
    const { otpId, code, mail } = await requestCode('ann@example.com');
    expect(otpId).toMatch(/^[a-z0-9]{15}$/);
    expect(code).toMatch(/^\d{6}$/);
    expect(mail.subject).toBe('Code for Otp App');
    expect(mail.html).toContain(`for request ${otpId} (Ann)`);
    expect(mail.text).toContain(code);
  });

  it('an unknown email gets the same 200 with a random otpId of the same shape, and no mail', async () => {
    const res = await post(`${users}/request-otp`, { email: 'ghost@example.com' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['otpId']);
    expect(res.json.otpId).toMatch(/^[a-z0-9]{15}$/);
    await settle();
    expect(smtp.mails.filter((m) => m.to.includes('ghost@example.com'))).toHaveLength(0);
    const login = await post(`${users}/auth-with-otp`, { otpId: res.json.otpId, password: '123456' });
    expect([login.status, login.json.message]).toEqual([400, 'Invalid or expired OTP.']);
  });

  it('the default template and length (8 digits) where the collection sets none', async () => {
    await signUp(t, 'members', { email: 'mia@example.com' });
    const { code, mail } = await requestCode('mia@example.com', 'members');
    expect(code).toMatch(/^\d{8}$/);
    expect(mail.subject).toBe('OTP for Otp App');
  });

  it('past 10 live codes the newest is answered again and no more mail is sent', async () => {
    await signUp(t, 'users', { email: 'flood@example.com' });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      ids.push((await post(`${users}/request-otp`, { email: 'flood@example.com' })).json.otpId);
      await smtp.waitFor((m) => m.html.includes(ids[i]!));
    }
    const again = await post(`${users}/request-otp`, { email: 'flood@example.com' });
    expect(again.status).toBe(200);
    expect(again.json.otpId).toBe(ids[9]);
    await settle();
    expect(smtp.mails.filter((m) => m.to.includes('flood@example.com'))).toHaveLength(10);
  });
});

describe('auth-with-otp', () => {
  it('logs in with the mailed code, once', async () => {
    const { id } = await signUp(t, 'users', { email: 'bea@example.com' });
    const { otpId, code } = await requestCode('bea@example.com');
    const res = await post(`${users}/auth-with-otp`, { otpId, password: code });
    expect(res.status, res.text).toBe(200);
    expect(res.json.record).toMatchObject({ id, email: 'bea@example.com' });
    expect(typeof res.json.token).toBe('string');
    expect((await t.call('POST', `${users}/auth-refresh`, { auth: res.json.token })).status).toBe(200);
    const again = await post(`${users}/auth-with-otp`, { otpId, password: code });
    expect([again.status, again.json.message]).toEqual([400, 'Invalid or expired OTP.']);
  });

  it('a code older than otp.duration (180 s by default) is refused', async () => {
    await signUp(t, 'members', { email: 'old@example.com' });
    const { otpId, code } = await requestCode('old@example.com', 'members');
    await ageOtp(otpId, 181);
    const res = await post('/api/collections/members/auth-with-otp', { otpId, password: code });
    expect([res.status, res.json.message]).toEqual([400, 'Invalid or expired OTP.']);
  });

  it('5 wrong tries (from any addresses) delete the code: the right one then fails too', async () => {
    await signUp(t, 'users', { email: 'guess@example.com' });
    const { otpId, code } = await requestCode('guess@example.com');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 5; i++) {
      const res = await post(`${users}/auth-with-otp`, { otpId, password: wrong }, { ip: `10.9.0.${i}` });
      expect(res.status).toBe(400);
    }
    const right = await post(`${users}/auth-with-otp`, { otpId, password: code }, { ip: '10.9.0.9' });
    expect([right.status, right.json.message]).toEqual([400, 'Invalid or expired OTP.']);
  });

  it('wire: 5 tries per record and client IP within 180 s, then 429 even with the right code', async () => {
    await signUp(t, 'users', { email: 'tries@example.com' });
    const first = await requestCode('tries@example.com');
    const second = await requestCode('tries@example.com');
    for (let i = 0; i < 5; i++) {
      expect((await post(`${users}/auth-with-otp`, { otpId: i < 3 ? first.otpId : second.otpId, password: 'x' }, { ip: '10.8.0.1' })).status).toBe(400);
    }
    const limited = await post(`${users}/auth-with-otp`, { otpId: second.otpId, password: second.code }, { ip: '10.8.0.1' });
    expect([limited.status, limited.json.message]).toEqual([429, 'Too many attempts, please try again later with a new OTP.']);
    const elsewhere = await post(`${users}/auth-with-otp`, { otpId: second.otpId, password: second.code }, { ip: '10.8.0.2' });
    expect(elsewhere.status, elsewhere.text).toBe(200);
  });

  it("codes issued before a password change die with the record's tokenKey", async () => {
    const { id, token } = await signUp(t, 'users', { email: 'rotate@example.com' });
    const { otpId, code } = await requestCode('rotate@example.com');
    const patch = await t.call('PATCH', `${users}/records/${id}`, {
      body: { oldPassword: 'password123', password: 'password456', passwordConfirm: 'password456' },
      auth: token,
    });
    expect(patch.status, patch.text).toBe(200);
    const res = await post(`${users}/auth-with-otp`, { otpId, password: code });
    expect([res.status, res.json.message]).toEqual([400, 'Invalid or expired OTP.']);
  });

  it('wire: an unverified record becomes verified, and (no MFA) gets a random password', async () => {
    const { id } = await signUp(t, 'users', { email: 'unver@example.com' });
    const { otpId, code } = await requestCode('unver@example.com');
    const res = await post(`${users}/auth-with-otp`, { otpId, password: code });
    expect(res.status, res.text).toBe(200);
    expect(res.json.record).toMatchObject({ id, verified: true });
    expect((await t.call('POST', `${users}/auth-refresh`, { auth: res.json.token })).status).toBe(200);
    const old = await post(`${users}/auth-with-password`, { identity: 'unver@example.com', password: 'password123' });
    expect(old.status).toBe(400);
  });

  it('a code of one collection does not log into another', async () => {
    await signUp(t, 'users', { email: 'cross@example.com' });
    const { otpId, code } = await requestCode('cross@example.com');
    const res = await post('/api/collections/members/auth-with-otp', { otpId, password: code });
    expect([res.status, res.json.message]).toEqual([400, 'Invalid or expired OTP.']);
  });
});

describe('scenarios', () => {
  let amy: { id: string; token: string };
  let bob: { id: string; token: string };
  beforeAll(async () => {
    amy = await signUp(t, 'users', { email: 'amy@example.com' });
    bob = await signUp(t, 'users', { email: 'bob@example.com' });
    await requestCode('amy@example.com');
  });

  const table = (): Scenario[] => [
    { name: 'a guest requests a code', method: 'POST', path: `${users}/request-otp`, body: { email: 'amy@example.com' }, status: 200, contains: ['"otpId":"'] },
    { name: 'the owner requests a code while logged in', method: 'POST', path: `${users}/request-otp`, body: { email: 'amy@example.com' }, as: amy.token, status: 200, contains: ['"otpId":"'] },
    { name: 'another user requests a code for amy', method: 'POST', path: `${users}/request-otp`, body: { email: 'amy@example.com' }, as: bob.token, status: 200, contains: ['"otpId":"'] },
    { name: 'a superuser requests a code for amy', method: 'POST', path: `${users}/request-otp`, body: { email: 'amy@example.com' }, as: root, status: 200, contains: ['"otpId":"'] },
    { name: 'a malformed email', method: 'POST', path: `${users}/request-otp`, body: { email: 'nope' }, status: 400, contains: ['"email":{"code":"validation_is_email"'] },
    { name: 'no email', method: 'POST', path: `${users}/request-otp`, body: {}, status: 400, contains: ['"email":{"code":"validation_required"'] },
    { name: 'OTP off: request-otp', method: 'POST', path: '/api/collections/plain/request-otp', body: { email: 'amy@example.com' }, status: 403, contains: ['The collection is not configured to allow OTP authentication.'] },
    { name: 'OTP off: auth-with-otp', method: 'POST', path: '/api/collections/plain/auth-with-otp', body: { otpId: 'x', password: 'y' }, status: 403, contains: ['not configured to allow OTP'] },
    { name: 'a base or unknown collection', method: 'POST', path: '/api/collections/nope/request-otp', body: { email: 'amy@example.com' }, status: 404, contains: ['Missing or invalid auth collection context.'] },
    { name: 'auth-with-otp without fields', method: 'POST', path: `${users}/auth-with-otp`, body: {}, status: 400, contains: ['"otpId":{"code":"validation_required"', '"password":{"code":"validation_required"'] },
    { name: 'auth-with-otp with a 72-character password', method: 'POST', path: `${users}/auth-with-otp`, body: { otpId: 'abc', password: '1'.repeat(72) }, status: 400, contains: ['"password":{"code":"validation_length_out_of_range"'] },
    { name: 'auth-with-otp with an unknown otpId', method: 'POST', path: `${users}/auth-with-otp`, body: { otpId: 'abcdefghijklmno', password: '123456' }, status: 400, contains: ['Invalid or expired OTP.'] },
    { name: 'the owner lists her own codes (hash and sentTo hidden)', method: 'GET', path: '/api/collections/_otps/records', as: amy.token, status: 200, contains: [`"recordRef":"${amy.id}"`], notContains: ['"password"', '"sentTo"', bob.id] },
    { name: 'another user sees none of them', method: 'GET', path: '/api/collections/_otps/records', as: bob.token, status: 200, contains: ['"totalItems":0'], notContains: [amy.id] },
    { name: 'a guest sees none of them', method: 'GET', path: '/api/collections/_otps/records', status: 200, contains: ['"totalItems":0'] },
    { name: 'a superuser sees them all', method: 'GET', path: '/api/collections/_otps/records', as: root, status: 200, contains: [amy.id] },
  ];

  it('every row answers as expected', async () => {
    // `as` holds the token itself
    for (const s of table()) await runScenario(t, s);
  });
});
