// Realtime events of the system collections _otps and _mfas: their writes go through the one record-write pipeline,
// so they fire create/delete events as PocketBase's do (its OnModelAfter*Success realtime binding covers every
// record). wire: both collections' list/view rule is the owner rule
// ("@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId"), so the
// owner and superusers get them, another user and guests do not; the hidden OTP hash never leaves.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { superuserToken, type TestResponse } from '../helpers/test-galley.ts';
import { selfServiceUsers } from '../helpers/users-collection.ts';
import { startAuthGalley, type AuthTestGalley } from '../auth/harness.ts';
import { smtpSettings, startTestSmtp, type TestSmtp } from '../auth/smtp.ts';
import { connectRaw, type RawClient } from './sse-client.ts';

let t: AuthTestGalley;
let smtp: TestSmtp;
let root = '';
const people: Record<'alice' | 'bob', { id: string; token: string }> = { alice: { id: '', token: '' }, bob: { id: '', token: '' } };
const open: RawClient[] = [];

const post = (path: string, body: unknown, auth?: string | null): Promise<TestResponse> => t.call('POST', path, { body, auth });

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startAuthGalley([selfServiceUsers({ otp: { enabled: true }, mfa: { enabled: true, duration: 600 } })], { settings: smtpSettings(smtp) });
  root = await superuserToken(t);
  for (const name of ['alice', 'bob'] as const) {
    const email = `${name}@example.com`;
    const made = await post('/api/collections/users/records', { email, password: 'password123', passwordConfirm: 'password123' });
    if (made.status !== 200) throw new Error(made.text);
    people[name].id = made.json.id;
    // a superuser's impersonation skips MFA: a token to subscribe with
    const token = await post(`/api/collections/users/impersonate/${made.json.id}`, {}, root);
    if (token.status !== 200) throw new Error(token.text);
    people[name].token = token.json.token;
  }
}, 60_000);
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

async function subscriber(topics: string[], auth: string | null): Promise<RawClient> {
  const c = await connectRaw(t.galley);
  open.push(c);
  const res = await c.subscribe(topics, { auth });
  expect(res.status).toBe(204);
  return c;
}

async function seen(c: RawClient): Promise<string[]> {
  await c.sync();
  return c.events().map((e) => `${e.topic} ${e.data.action} ${e.data.record.id}`);
}

async function mailedCode(email: string, before: Set<unknown>): Promise<string> {
  const mail = await smtp.waitFor((m) => m.to.includes(email) && !before.has(m));
  return /<strong>(\d+)<\/strong>/.exec(mail.html)![1]!;
}

describe('_otps and _mfas events reach the owner and superusers', () => {
  it('an OTP login: _mfas create on the first factor, _otps create, then both deleted by the second factor', async () => {
    const topics = ['_otps/*', '_mfas/*'];
    const su = await subscriber(topics, root);
    const alice = await subscriber(topics, people.alice.token);
    const bob = await subscriber(topics, people.bob.token);
    const guest = await subscriber(topics, null);

    const first = await post('/api/collections/users/auth-with-password', { identity: 'alice@example.com', password: 'password123' });
    expect(first.status).toBe(401);
    const mfaId = String(first.json.mfaId);
    const before = new Set(smtp.mails);
    const otpId = String((await post('/api/collections/users/request-otp', { email: 'alice@example.com' })).json.otpId);
    const code = await mailedCode('alice@example.com', before); // the OTP row is written before its mail leaves
    const login = await post('/api/collections/users/auth-with-otp', { otpId, password: code, mfaId });
    expect(login.status).toBe(200);

    const expected = [`_mfas/* create ${mfaId}`, `_otps/* create ${otpId}`, `_otps/* delete ${otpId}`, `_mfas/* delete ${mfaId}`];
    expect(await seen(su)).toEqual(expected);
    expect(await seen(alice)).toEqual(expected);
    expect(await seen(bob)).toEqual([]);
    expect(await seen(guest)).toEqual([]);

    const otpCreate = alice.events().find((e) => e.topic === '_otps/*' && e.data.action === 'create')!;
    expect(otpCreate.data.record).toMatchObject({ collectionName: '_otps', recordRef: people.alice.id });
    expect(otpCreate.data.record).not.toHaveProperty('password'); // hidden: the code's hash
  });

  it("a password change ends the record's MFA sessions, each with its delete event", async () => {
    const su = await subscriber(['_mfas/*'], root);
    const first = await post('/api/collections/users/auth-with-password', { identity: 'bob@example.com', password: 'password123' });
    expect(first.status).toBe(401);
    const mfaId = String(first.json.mfaId);
    const changed = await t.call('PATCH', `/api/collections/users/records/${people.bob.id}`, {
      body: { password: 'password456', passwordConfirm: 'password456' },
      auth: root,
    });
    expect(changed.status).toBe(200);
    expect(await seen(su)).toEqual([`_mfas/* create ${mfaId}`, `_mfas/* delete ${mfaId}`]);
  });
});
