// MFA: with mfa.enabled, a first factor answers 401 {mfaId} (exactly that body, wire); a different second factor
// sent with the mfaId (body or query) logs in and spends the session. Refresh and impersonation skip MFA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, superuserToken, type Scenario } from '../helpers/test-galley.ts';
import { startAuthGalley, type AuthTestGalley } from './harness.ts';
import { smtpSettings, startTestSmtp, type TestSmtp } from './smtp.ts';
import { selfServiceUsers } from '../helpers/users-collection.ts';

const schema = [
  selfServiceUsers({
    otp: { enabled: true },
    mfa: { enabled: true, duration: 600 },
    fields: [{ name: 'role', type: 'select', values: ['member', 'staff'], maxSelect: 1 }],
  }),
  {
    name: 'staffonly',
    type: 'auth',
    createRule: '',
    otp: { enabled: true },
    mfa: { enabled: true, rule: "role = 'staff'" },
    fields: [{ name: 'role', type: 'select', values: ['member', 'staff'], maxSelect: 1 }],
  },
];

let t: AuthTestGalley;
let smtp: TestSmtp;
let root = '';
const users = '/api/collections/users';

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startAuthGalley(schema, { settings: smtpSettings(smtp) });
  root = await superuserToken(t);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const post = (path: string, body: unknown, auth?: string | null) => t.call('POST', path, { body, auth });

async function createUser(email: string, collection = 'users', extra: Record<string, unknown> = {}): Promise<string> {
  const res = await post(`/api/collections/${collection}/records`, { email, password: 'password123', passwordConfirm: 'password123', ...extra });
  if (res.status !== 200) throw new Error(res.text);
  return res.json.id;
}

const password = (email: string, collection = 'users', query = '', mfaId?: string) =>
  post(`/api/collections/${collection}/auth-with-password${query}`, { identity: email, password: 'password123', ...(mfaId ? { mfaId } : {}) });

async function otpLogin(email: string, extra: Record<string, unknown> = {}, collection = 'users', query = '') {
  const seen = new Set(smtp.mails);
  const otpId = (await post(`/api/collections/${collection}/request-otp`, { email })).json.otpId;
  const mail = await smtp.waitFor((m) => m.to.includes(email) && !seen.has(m));
  const code = /<strong>(\d+)<\/strong>/.exec(mail.html)![1]!;
  return post(`/api/collections/${collection}/auth-with-otp${query}`, { otpId, password: code, ...extra });
}

const mfaRows = async (recordId: string) =>
  (await t.galley.core.db.read.selectFrom('_mfas').selectAll().where('recordRef', '=', recordId).execute()) as Array<Record<string, unknown>>;

describe('the challenge', () => {
  it('a password login answers 401 with exactly {mfaId} and leaves an _mfas row for the method', async () => {
    const id = await createUser('ann@example.com');
    const res = await password('ann@example.com');
    expect(res.status).toBe(401);
    expect(Object.keys(res.json)).toEqual(['mfaId']);
    expect(res.json.mfaId).toMatch(/^[a-z0-9]{15}$/);
    expect(await mfaRows(id)).toEqual([expect.objectContaining({ id: res.json.mfaId, method: 'password', collectionRef: expect.stringMatching(/^pbc_/) })]);
  });

  it('password, then OTP with the mfaId in the body: logged in, and the session is spent', async () => {
    const id = await createUser('bea@example.com');
    const { mfaId } = (await password('bea@example.com')).json;
    const done = await otpLogin('bea@example.com', { mfaId });
    expect(done.status, done.text).toBe(200);
    expect(done.json.record.id).toBe(id);
    expect(await mfaRows(id)).toEqual([]);
    const again = await password('bea@example.com', 'users', '', mfaId);
    expect([again.status, again.json.message]).toEqual([400, 'Invalid or expired MFA session.']);
  });

  it('OTP first, then the password with the mfaId as a query parameter (as the SDK sends it)', async () => {
    await createUser('cid@example.com');
    const first = await otpLogin('cid@example.com');
    expect(first.status).toBe(401);
    const done = await password('cid@example.com', 'users', `?mfaId=${first.json.mfaId}`);
    expect(done.status, done.text).toBe(200);
  });

  it('the same method twice is refused; so is a session of another record, an unknown one and an expired one', async () => {
    await createUser('dan@example.com');
    await createUser('eve@example.com');
    const { mfaId } = (await password('dan@example.com')).json;
    const same = await password('dan@example.com', 'users', '', mfaId);
    expect([same.status, same.json.message]).toEqual([400, 'A different authentication method is required.']);
    const other = await otpLogin('eve@example.com', { mfaId });
    expect([other.status, other.json.message]).toEqual([400, 'Invalid MFA session.']);
    const unknown = await password('dan@example.com', 'users', '', 'abcdefghijklmno');
    expect([unknown.status, unknown.json.message]).toEqual([400, 'Invalid or expired MFA session.']);
    await t.galley.core.db.writer.run((tx) => tx.db.updateTable('_mfas').set({ created: '2020-01-01 00:00:00.000Z' }).where('id', '=', mfaId).execute());
    const expired = await otpLogin('dan@example.com', { mfaId });
    expect([expired.status, expired.json.message]).toEqual([400, 'Invalid or expired MFA session.']);
    expect((await t.galley.core.db.read.selectFrom('_mfas').select('id').where('id', '=', mfaId).execute()).length).toBe(0);
  });

  it('a wrong password with an mfaId is the plain 400 and leaves the session alone', async () => {
    const id = await createUser('fay@example.com');
    const { mfaId } = (await otpLogin('fay@example.com')).json;
    const wrong = await post(`${users}/auth-with-password`, { identity: 'fay@example.com', password: 'nope-nope', mfaId });
    expect([wrong.status, wrong.json.message]).toEqual([400, 'Failed to authenticate.']);
    expect((await mfaRows(id)).map((r) => r['id'])).toEqual([mfaId]);
  });

  it('a non-string mfaId is a 400', async () => {
    await createUser('gus@example.com');
    const res = await post(`${users}/auth-with-password`, { identity: 'gus@example.com', password: 'password123', mfaId: 5 });
    expect(res.status).toBe(400);
  });
});

describe('mfa.rule', () => {
  it('only records matching the rule get the challenge', async () => {
    await createUser('member@example.com', 'staffonly', { role: 'member' });
    await createUser('staff@example.com', 'staffonly', { role: 'staff' });
    expect((await password('member@example.com', 'staffonly')).status).toBe(200);
    const staff = await password('staff@example.com', 'staffonly');
    expect(staff.status).toBe(401);
    expect(staff.json.mfaId).toBeTruthy();
  });
});

describe('what skips MFA', () => {
  it('refresh and impersonation give tokens without a second factor', async () => {
    const id = await createUser('hal@example.com');
    const imp = await post(`${users}/impersonate/${id}`, {}, root);
    expect(imp.status, imp.text).toBe(200);
    const { mfaId } = (await password('hal@example.com')).json;
    const done = await otpLogin('hal@example.com', { mfaId });
    const refreshed = await t.call('POST', `${users}/auth-refresh`, { auth: done.json.token });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.json.token).toBeTruthy();
  });
});

describe('scenarios for _mfas', () => {
  it('owners see their own sessions only; guests none; superusers all', async () => {
    const ivy = await createUser('ivy@example.com');
    const { mfaId } = (await password('ivy@example.com')).json;
    const joe = await createUser('joe@example.com', 'staffonly', { role: 'member' });
    const joeToken = (await password('joe@example.com', 'staffonly')).json.token;
    const ivyToken = (await post(`${users}/impersonate/${ivy}`, {}, root)).json.token;
    const table: Scenario[] = [
      { name: 'the owner', method: 'GET', path: '/api/collections/_mfas/records', as: ivyToken, status: 200, contains: [mfaId, '"method":"password"'] },
      { name: 'another record', method: 'GET', path: '/api/collections/_mfas/records', as: joeToken, status: 200, contains: ['"totalItems":0'], notContains: [mfaId] },
      { name: 'a guest', method: 'GET', path: '/api/collections/_mfas/records', status: 200, contains: ['"totalItems":0'] },
      { name: 'a superuser', method: 'GET', path: '/api/collections/_mfas/records', as: root, status: 200, contains: [mfaId] },
      { name: 'the owner may not delete it', method: 'DELETE', path: `/api/collections/_mfas/records/${mfaId}`, as: ivyToken, status: 403 },
    ];
    // `as` holds the token itself
    for (const s of table) await runScenario(t, s);
    expect(joe).toBeTruthy();
  });
});
