// The per-method auth request hooks (issue 14) through createGalley({ hooks }) under Bun and Node: each runs after
// the body is validated and before the action, and may change the input, refuse with an error, answer itself, or
// go on with `await e.next()` (which performs the action). Mails are caught (and vetoed) by onMailer* hooks.
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HooksApp } from '../../src/index.ts';
import { startAuthGalley, type AuthTestGalley } from '../auth/harness.ts';
import { superuserToken } from '../helpers/test-galley.ts';
import { signInWithProvider, oauth2Schema } from '../oauth2/harness.ts';
import { startTestOidc, type TestOidc } from '../oauth2/oidc-server.ts';

let t: AuthTestGalley;
let oidc: TestOidc;
let url = '';
/** what the hooks saw, in order */
const seen: string[] = [];
/** mails the hooks caught instead of sending: `${kind} ${to}` → the template's meta */
const mails = new Map<string, Record<string, unknown>>();

function setup(app: HooksApp): void {
  app.onRecordAuthWithPasswordRequest(async (e) => {
    seen.push(`password ${e.identity} ${e.record ? String(e.record.get('email')) : 'null'}`);
    if (e.identity === 'ask@hook.test') return e.json(200, { answeredBy: 'hook' });
    if (e.identity === 'alias@example.com') e.identity = 'ann@example.com';
    if (e.password === 'the-magic-word') e.password = 'password123';
    if (e.record?.get('name') === 'blocked') throw new app.ForbiddenError('Blocked by a hook.');
    await e.next();
    seen.push('password done');
  }, 'users');
  app.onRecordRequestOTPRequest(async (e) => {
    seen.push(`request-otp ${e.record ? String(e.record.get('email')) : 'null'} ${/^\d{8}$/.test(e.password) ? 'code' : 'no code'}`);
    await e.next();
  }, 'users');
  app.onRecordAuthWithOTPRequest(async (e) => {
    seen.push(`otp ${String(e.record.get('email'))} sentTo=${String(e.otp.get('sentTo'))}`);
    if (e.record.get('name') === 'otp-vetoed') throw new app.ForbiddenError('No OTP for you.');
    await e.next();
  }, 'users');
  app.onRecordAuthWithOAuth2Request(async (e) => {
    seen.push(`oauth2 ${e.providerName} ${e.oauth2User.email} isNew=${e.isNewRecord} record=${e.record ? String(e.record.get('email')) : 'null'}`);
    if (e.oauth2User.id === 'mallory') throw new app.ForbiddenError('Not with that account.');
    if (e.isNewRecord) e.createData['name'] = `Hooked ${e.oauth2User.name}`;
    await e.next();
  }, 'users');
  app.onRecordRequestPasswordResetRequest(async (e) => {
    seen.push(`request-reset ${String(e.record.get('email'))}`);
    if (e.record.get('name') === 'no-reset') throw new app.BadRequestError('Resets are off for this account.');
    await e.next();
  }, 'users');
  app.onRecordConfirmPasswordResetRequest(async (e) => {
    seen.push(`confirm-reset ${String(e.record.get('email'))}`);
    await e.next();
  }, 'users');
  app.onRecordRequestVerificationRequest(async (e) => {
    seen.push(`request-verification ${String(e.record.get('email'))}`);
    if (e.record.get('name') === 'quiet') return e.json(202, { queued: false });
    await e.next();
  }, 'users');
  app.onRecordRequestEmailChangeRequest(async (e) => {
    seen.push(`request-email-change ${String(e.record.get('email'))} → ${e.newEmail}`);
    e.newEmail = e.newEmail.replace('@typo.test', '@example.com');
    await e.next();
  }, 'users');
  app.onRecordConfirmVerificationRequest(async (e) => {
    seen.push(`confirm-verification ${String(e.record.get('email'))}`);
    if (e.record.get('name') === 'unverifiable') throw new app.BadRequestError('Not verifiable.');
    await e.next();
  }, 'users');
  app.onRecordConfirmEmailChangeRequest(async (e) => {
    seen.push(`confirm-email-change ${String(e.record.get('email'))} → ${e.newEmail}`);
    await e.next();
  }, 'users');
  app.onMailerRecordOTPSend(async (e) => void mails.set(`otp ${e.message.to[0]!.address}`, e.meta), 'users');
  app.onMailerRecordPasswordResetSend(async (e) => void mails.set(`reset ${e.message.to[0]!.address}`, e.meta), 'users');
  app.onMailerRecordVerificationSend(async (e) => void mails.set(`verification ${e.message.to[0]!.address}`, e.meta), 'users');
  app.onMailerRecordEmailChangeSend(async (e) => void mails.set(`email-change ${e.message.to[0]!.address}`, e.meta), 'users');
}

beforeAll(async () => {
  oidc = await startTestOidc();
  oidc.accounts.set('zoe', { email: 'zoe@example.com', email_verified: true, name: 'Zoe' });
  oidc.accounts.set('ann-idp', { email: 'ann@example.com', email_verified: true, name: 'Ann at the IdP' });
  oidc.accounts.set('mallory', { email: 'mallory@example.com', email_verified: true, name: 'Mallory' });
  t = await startAuthGalley(oauth2Schema(oidc.issuer, { otp: { enabled: true } }), { hooks: setup, settings: { rateLimits: { enabled: false } } as never });
  url = (await t.galley.listen('127.0.0.1:0')).url;
  for (const [email, name] of [['ann@example.com', 'Ann'], ['bea@example.com', 'blocked'], ['cat@example.com', 'otp-vetoed'], ['dan@example.com', 'no-reset'], ['eve@example.com', 'quiet']]) {
    const res = await t.call('POST', '/api/collections/users/records', { body: { email, name, password: 'password123', passwordConfirm: 'password123' } });
    expect(res.status).toBe(200);
  }
});

afterAll(async () => {
  await t?.close();
  await oidc?.close();
});

const post = (path: string, body: unknown, auth?: string) => t.call('POST', `/api/collections/users/${path}`, { body, auth });

/** The mail a hook caught, once the background send reached it. */
async function caughtMail(key: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 500 && !mails.has(key); i++) await new Promise((r) => setTimeout(r, 10));
  const meta = mails.get(key);
  if (!meta) throw new Error(`no ${key} mail`);
  mails.delete(key);
  return meta;
}

describe('onRecordAuthWithPasswordRequest', () => {
  it('e.next() signs in; a hook changes the identity and the password before the check', async () => {
    seen.length = 0;
    const plain = await post('auth-with-password', { identity: 'ann@example.com', password: 'password123' });
    expect(plain.status).toBe(200);
    expect(plain.json.record.email).toBe('ann@example.com');
    const alias = await post('auth-with-password', { identity: 'alias@example.com', password: 'the-magic-word' });
    expect(alias.status).toBe(200);
    expect(alias.json.record.email).toBe('ann@example.com');
    expect(seen).toEqual(['password ann@example.com ann@example.com', 'password done', 'password alias@example.com null', 'password done']);
  });

  it('a thrown ForbiddenError refuses a right password with its status and shape; a wrong one still fails as before', async () => {
    const refused = await post('auth-with-password', { identity: 'bea@example.com', password: 'password123' });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ status: 403, message: 'Blocked by a hook.', data: {} });
    const wrong = await post('auth-with-password', { identity: 'ann@example.com', password: 'nope-nope' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.message).toBe('Failed to authenticate.');
  });

  it('a hook answers itself; the body is validated before any hook runs', async () => {
    seen.length = 0;
    const answered = await post('auth-with-password', { identity: 'ask@hook.test', password: 'whatever' });
    expect(answered.status).toBe(200);
    expect(answered.json).toEqual({ answeredBy: 'hook' });
    const blank = await post('auth-with-password', { identity: '', password: 'x' });
    expect(blank.status).toBe(400);
    expect(blank.json.data.identity.code).toBe('validation_required');
    expect(seen).toEqual(['password ask@hook.test null']);
  });
});

describe('OTP hooks', () => {
  it('request-otp: e.record is the record, or null for an unknown email, and the answers look the same', async () => {
    seen.length = 0;
    const known = await post('request-otp', { email: 'ann@example.com' });
    const unknown = await post('request-otp', { email: 'nobody@example.com' });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(Object.keys(unknown.json)).toEqual(Object.keys(known.json));
    expect(unknown.json.otpId).toMatch(/^[a-z0-9]{15}$/);
    expect(seen).toEqual(['request-otp ann@example.com code', 'request-otp null code']);
    await caughtMail('otp ann@example.com');
  });

  it('rate limits apply before the hooks: a limited request never reaches one', async () => {
    const root = await superuserToken(t);
    const limit = (rateLimits: Record<string, unknown>) => t.call('PATCH', '/api/settings', { auth: root, body: { rateLimits } });
    expect((await limit({ enabled: true, rules: [{ label: 'users:requestOTP', duration: 60, maxRequests: 1 }] })).status).toBe(200);
    seen.length = 0;
    try {
      const first = await t.call('POST', '/api/collections/users/request-otp', { body: { email: 'nobody@example.com' }, ip: '203.0.113.50' });
      const second = await t.call('POST', '/api/collections/users/request-otp', { body: { email: 'nobody@example.com' }, ip: '203.0.113.50' });
      expect([first.status, second.status]).toEqual([200, 429]);
      expect(seen).toEqual(['request-otp null code']);
    } finally {
      await limit({ enabled: false });
    }
  });

  it('auth-with-otp: e.next() spends the code and signs in; a thrown error refuses and leaves the code unspent', async () => {
    const { json: ann } = await post('request-otp', { email: 'ann@example.com' });
    const annCode = await caughtMail('otp ann@example.com');
    expect(annCode['otpId']).toBe(ann.otpId);
    seen.length = 0;
    const signedIn = await post('auth-with-otp', { otpId: ann.otpId, password: annCode['password'] });
    expect(signedIn.status).toBe(200);
    expect(signedIn.json.record.email).toBe('ann@example.com');
    expect((await post('auth-with-otp', { otpId: ann.otpId, password: annCode['password'] })).status).toBe(400);

    const { json: cat } = await post('request-otp', { email: 'cat@example.com' });
    const catCode = await caughtMail('otp cat@example.com');
    const refused = await post('auth-with-otp', { otpId: cat.otpId, password: catCode['password'] });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ status: 403, message: 'No OTP for you.', data: {} });
    expect(await t.galley.core.db.read.selectFrom('_otps').select('id').where('id', '=', cat.otpId).executeTakeFirst()).toBeDefined();
    expect(seen.filter((s) => s.startsWith('otp '))).toEqual(['otp ann@example.com sentTo=ann@example.com', 'otp cat@example.com sentTo=cat@example.com']);
  });
});

describe('onRecordAuthWithOAuth2Request', () => {
  it('sees e.isNewRecord and e.record; changes the sign-up body; a throw refuses before anything is written', async () => {
    seen.length = 0;
    const pb = new PocketBase(url);
    const zoe = await signInWithProvider({ oidc } as never, pb, 'oidc', 'zoe');
    expect(zoe.meta?.['isNew']).toBe(true);
    expect(zoe.record['name']).toBe('Hooked Zoe');
    const ann = await signInWithProvider({ oidc } as never, new PocketBase(url), 'oidc', 'ann-idp');
    expect(ann.meta?.['isNew']).toBe(false);
    expect(ann.record['email']).toBe('ann@example.com');
    await expect(signInWithProvider({ oidc } as never, new PocketBase(url), 'oidc', 'mallory')).rejects.toMatchObject({ status: 403, response: { message: 'Not with that account.' } });
    const mallory = await t.galley.core.db.read.selectFrom('users').select('id').where('email', '=', 'mallory@example.com').executeTakeFirst();
    expect(mallory).toBeUndefined();
    expect(seen).toEqual([
      'oauth2 oidc zoe@example.com isNew=true record=null',
      'oauth2 oidc ann@example.com isNew=false record=ann@example.com',
      'oauth2 oidc mallory@example.com isNew=true record=null',
    ]);
  });
});

describe('mail flow hooks', () => {
  it('request-password-reset: the hook sees the record and e.next() mails it; a throw answers its error; an unknown email never reaches a hook', async () => {
    seen.length = 0;
    expect((await post('request-password-reset', { email: 'ann@example.com' })).status).toBe(204);
    const { token } = await caughtMail('reset ann@example.com');
    const refused = await post('request-password-reset', { email: 'dan@example.com' });
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ status: 400, message: 'Resets are off for this account.', data: {} });
    const unknown = await post('request-password-reset', { email: 'nobody@example.com' });
    expect(unknown.status).toBe(204);
    expect(unknown.text).toBe('');
    const confirmed = await post('confirm-password-reset', { token, password: 'new-password-1', passwordConfirm: 'new-password-1' });
    expect(confirmed.status).toBe(204);
    expect((await post('auth-with-password', { identity: 'ann@example.com', password: 'new-password-1' })).status).toBe(200);
    expect(seen.filter((s) => !s.startsWith('password'))).toEqual(['request-reset ann@example.com', 'request-reset dan@example.com', 'confirm-reset ann@example.com']);
  });

  it('request-verification: e.next() mails; a hook answers itself; request-email-change: a hook changes e.newEmail', async () => {
    seen.length = 0;
    expect((await post('request-verification', { email: 'bea@example.com' })).status).toBe(204);
    await caughtMail('verification bea@example.com');
    const quiet = await post('request-verification', { email: 'eve@example.com' });
    expect(quiet.status).toBe(202);
    expect(quiet.json).toEqual({ queued: false });
    const signedIn = await post('auth-with-password', { identity: 'cat@example.com', password: 'password123' });
    expect((await post('request-email-change', { newEmail: 'cathy@typo.test' }, signedIn.json.token)).status).toBe(204);
    const change = await caughtMail('email-change cathy@example.com');
    expect(change['newEmail']).toBe('cathy@example.com');
    expect((await post('confirm-email-change', { token: change['token'], password: 'password123' })).status).toBe(204);
    expect((await post('auth-with-password', { identity: 'cathy@example.com', password: 'password123' })).status).toBe(200);
    expect(seen.filter((s) => !s.startsWith('password'))).toEqual([
      'request-verification bea@example.com',
      'request-verification eve@example.com',
      'request-email-change cat@example.com → cathy@typo.test',
      'confirm-email-change cat@example.com → cathy@example.com',
    ]);
  });

  it('confirm-verification: a throw refuses and leaves the record unverified; e.next() verifies it', async () => {
    for (const [email, name] of [['gus@example.com', 'unverifiable'], ['hal@example.com', 'Hal']]) {
      await t.call('POST', '/api/collections/users/records', { body: { email, name, password: 'password123', passwordConfirm: 'password123' } });
      expect((await post('request-verification', { email })).status).toBe(204);
    }
    const refused = await post('confirm-verification', { token: (await caughtMail('verification gus@example.com'))['token'] });
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ status: 400, message: 'Not verifiable.', data: {} });
    expect((await post('confirm-verification', { token: (await caughtMail('verification hal@example.com'))['token'] })).status).toBe(204);
    const rows = await t.galley.core.db.read.selectFrom('users').select(['email', 'verified']).where('email', 'in', ['gus@example.com', 'hal@example.com']).orderBy('email').execute();
    expect(rows.map((r) => [r.email, Boolean(r.verified)])).toEqual([['gus@example.com', false], ['hal@example.com', true]]);
  });
});
