// OAuth2 / OIDC sign-in against a real OpenID provider on 127.0.0.1, through the official pocketbase SDK:
// linking by (provider, subject), the verified-email rule, PocketBase's pre-hijack advisories, failures.
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeCodeChallenge } from '../../src/auth/oauth2/auth-url.ts';
import { signPasswordResetToken } from '../../src/auth/tokens.ts';
import { runScenario } from '../helpers/scenario.ts';
import { fetchAuthorizationCode, signInWithProvider, startOAuth2Env, type OAuth2Env } from './harness.ts';
import { CLIENT_SECRET, REDIRECT_URL } from './oidc-server.ts';

let env: OAuth2Env;
const client = () => new PocketBase(env.url);
const admin = () => {
  const pb = client();
  pb.authStore.save(env.root, null);
  return pb;
};

beforeAll(async () => {
  env = await startOAuth2Env();
  const a = env.oidc.accounts;
  a.set('alice', { email: 'alice@example.com', email_verified: true, name: 'Alice A.', picture: 'https://img.example.com/alice.png', preferred_username: 'alice' });
  a.set('bob', { email: 'bob@example.com', email_verified: true, name: 'Bob' });
  a.set('carol-unverified', { email: 'carol@example.com', email_verified: false, name: 'Not Carol' });
  a.set('dave', { email: 'dave@example.com', email_verified: 'false' });
  a.set('victim', { email: 'victim@example.com', email_verified: true, name: 'Victim' });
  a.set('victim2', { email: 'victim2@example.com', email_verified: true });
  a.set('victim3', { email: 'victim3@example.com', email_verified: true });
  a.set('mallory', { email: 'mallory@example.com', email_verified: true });
  a.set('mallory-alt', { email: 'mallory-alt@example.com', email_verified: true });
  a.set('mallory-reset', { email: 'mallory-reset@example.com', email_verified: true });
  a.set('eve-second', { email: 'eve.other@example.com', email_verified: true });
  a.set('frank', { email: 'frank@example.com', email_verified: true });
  a.set('leo', { email: 'leo@example.com', email_verified: true });
}, 60_000);

afterAll(async () => {
  await env?.close();
});

async function failure(p: Promise<unknown>): Promise<{ status: number; body: any }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ClientResponseError) return { status: err.status, body: err.response };
    throw err;
  }
  throw new Error('expected the request to fail');
}

async function signUpWithPassword(email: string, password = 'password123') {
  const pb = client();
  const rec = await pb.collection('users').create({ email, password, passwordConfirm: password });
  await pb.collection('users').authWithPassword(email, password);
  return { id: rec.id, token: pb.authStore.token, pb };
}

async function linksOf(recordId: string) {
  return admin().collection('_externalAuths').getFullList({ filter: `recordRef = "${recordId}"` });
}

describe('auth-methods', () => {
  it('lists each provider with a fresh state and PKCE pair, and never a client secret', async () => {
    const res = await fetch(`${env.url}/api/collections/users/auth-methods`);
    const text = await res.text();
    expect(text).not.toContain(CLIENT_SECRET);
    const body = JSON.parse(text);
    expect(body.oauth2.enabled).toBe(true);
    expect(body.oauth2.providers.map((p: { name: string }) => p.name)).toEqual(['oidc', 'oidc2', 'oidc3']);
    const [oidc] = body.oauth2.providers;
    expect(Object.keys(oidc)).toEqual(['name', 'displayName', 'logo', 'state', 'authURL', 'authUrl', 'codeVerifier', 'codeChallenge', 'codeChallengeMethod']);
    expect(oidc.displayName).toBe('Loopback ID');
    expect(body.oauth2.providers[1].displayName).toBe('OIDC');
    expect(oidc.state).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(oidc.codeVerifier).toMatch(/^[A-Za-z0-9]{43}$/);
    expect(oidc.codeChallenge).toBe(computeCodeChallenge(oidc.codeVerifier));
    expect(oidc.codeChallengeMethod).toBe('S256');
    expect(oidc.authURL).toMatch(/&redirect_uri=$/);
    const url = new URL(oidc.authURL);
    expect(url.origin + url.pathname).toBe(`${env.oidc.issuer}/auth`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ client_id: 'galley-app', response_type: 'code', scope: 'openid email profile', state: oidc.state, code_challenge: oidc.codeChallenge });
    // discovered from the issuer (oidc2)
    expect(body.oauth2.providers[1].authURL.startsWith(`${env.oidc.issuer}/auth?`)).toBe(true);
    expect(body.authProviders).toHaveLength(3);
    const again = await (await fetch(`${env.url}/api/collections/users/auth-methods`)).json();
    expect(again.oauth2.providers[0].state).not.toBe(oidc.state);
  });

  it('answers the SDK projection and keeps the secret from superusers too', async () => {
    const methods = await client().collection('users').listAuthMethods();
    expect(Object.keys(methods).sort()).toEqual(['mfa', 'oauth2', 'otp', 'password']);
    const collection = await fetch(`${env.url}/api/collections/users`, { headers: { authorization: env.root } });
    expect(await collection.text()).not.toContain(CLIENT_SECRET);
  });
});

describe('auth-with-oauth2', () => {
  it('creates a verified record for a new identity, maps fields and links (provider, subject)', async () => {
    const pb = client();
    const auth = await signInWithProvider(env, pb, 'oidc', 'alice');
    expect(auth.meta).toMatchObject({ id: 'alice', name: 'Alice A.', username: 'alice', email: 'alice@example.com', avatarURL: 'https://img.example.com/alice.png', isNew: true });
    expect(auth.meta?.['accessToken']).toEqual(expect.any(String));
    expect(auth.meta?.['expiry']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(auth.meta?.['rawUser']).toMatchObject({ sub: 'alice', email_verified: true });
    expect(auth.record).toMatchObject({ email: 'alice@example.com', verified: true, name: 'Alice A.', handle: 'alice', avatarUrl: 'https://img.example.com/alice.png' });
    expect(pb.authStore.isValid).toBe(true);
    expect(pb.authStore.record?.id).toBe(auth.record.id);
    const links = await pb.collection('users').listExternalAuths(auth.record.id);
    expect(links.map((l) => [l['provider'], l['providerId'], l['collectionRef']])).toEqual([['oidc', 'alice', auth.record.collectionId]]);
  });

  it('logs an existing link in again, and a second provider with the same verified email links to the verified record', async () => {
    const first = await signInWithProvider(env, client(), 'oidc', 'alice');
    expect(first.meta?.['isNew']).toBe(false);
    const viaDiscovery = await signInWithProvider(env, client(), 'oidc2', 'alice');
    expect(viaDiscovery.meta?.['isNew']).toBe(false);
    expect(viaDiscovery.record.id).toBe(first.record.id);
    const viaIdToken = await signInWithProvider(env, client(), 'oidc3', 'alice');
    expect(viaIdToken.record.id).toBe(first.record.id);
    expect((await linksOf(first.record.id)).map((l) => l['provider']).sort()).toEqual(['oidc', 'oidc2', 'oidc3']);
  });

  it('auto-links a verified email only to a verified local account, which keeps its password', async () => {
    const bob = await signUpWithPassword('bob@example.com');
    await admin().collection('users').update(bob.id, { verified: true });
    const auth = await signInWithProvider(env, client(), 'oidc', 'bob');
    expect(auth.meta?.['isNew']).toBe(false);
    expect(auth.record.id).toBe(bob.id);
    await client().collection('users').authWithPassword('bob@example.com', 'password123');
  });

  it('never links by an email the provider did not verify', async () => {
    const carol = await signUpWithPassword('carol@example.com');
    await admin().collection('users').update(carol.id, { verified: true });
    // the provider's email is unverified: it is not used at all, and the new record then has no email
    const refused = await failure(signInWithProvider(env, client(), 'oidc', 'carol-unverified'));
    expect(refused.status).toBe(400);
    expect(refused.body.data.email.code).toBe('validation_required');
    expect(await linksOf(carol.id)).toEqual([]);
    await client().collection('users').authWithPassword('carol@example.com', 'password123');
    // claiming carol's address through createData fails on the unique email instead of reaching her record
    const claimed = await failure(signInWithProvider(env, client(), 'oidc', 'carol-unverified', { email: 'carol@example.com' }));
    expect(claimed.status).toBe(400);
    expect(claimed.body.data.email.code).toBe('validation_not_unique');
    expect(await linksOf(carol.id)).toEqual([]);
  });

  it('creates an unverified record when the client gives the email the provider could not vouch for', async () => {
    const auth = await signInWithProvider(env, client(), 'oidc', 'dave', { email: 'dave@example.com', name: 'Dave' });
    expect(auth.meta).toMatchObject({ isNew: true, email: '' });
    expect(auth.record).toMatchObject({ email: 'dave@example.com', verified: false, name: 'Dave' });
  });

  it('links the identity to the signed-in caller (explicit linking), whatever its email', async () => {
    const eve = await signUpWithPassword('eve@example.com');
    const auth = await signInWithProvider(env, eve.pb, 'oidc', 'eve-second');
    expect(auth.meta?.['isNew']).toBe(false);
    expect(auth.record.id).toBe(eve.id);
    // the caller's own password survives: it is the signed-in owner linking
    await client().collection('users').authWithPassword('eve@example.com', 'password123');
    expect(await eve.pb.collection('users').unlinkExternalAuth(eve.id, 'oidc')).toBe(true);
    expect(await linksOf(eve.id)).toEqual([]);
  });
});

describe('links follow their record', () => {
  it('deleting a record removes its links; the identity then signs up afresh', async () => {
    const first = await signInWithProvider(env, client(), 'oidc', 'leo');
    expect(await linksOf(first.record.id)).toHaveLength(1);
    await admin().collection('users').delete(first.record.id);
    await expect.poll(() => linksOf(first.record.id), { timeout: 10_000 }).toEqual([]);
    const again = await signInWithProvider(env, client(), 'oidc', 'leo');
    expect(again.meta?.['isNew']).toBe(true);
    expect(again.record.id).not.toBe(first.record.id);
  });
});

describe("PocketBase's pre-hijack advisories (as its oauth2Submit: link, verify, new random password, earlier links dropped)", () => {
  it('GHSA-m93w-4fxv-r35v: a password account pre-registered with the victim\'s email: the owner signs in, the attacker\'s password and session die', async () => {
    const attacker = await signUpWithPassword('victim@example.com', 'attacker-pass-1');
    const { code, verifier } = await fetchAuthorizationCode(env, client(), 'oidc', 'victim');
    await runScenario(env.t, {
      name: 'the owner signs in with the provider that verified the address',
      method: 'POST',
      path: '/api/collections/users/auth-with-oauth2',
      body: { provider: 'oidc', code, codeVerifier: verifier, redirectURL: REDIRECT_URL },
      status: 200,
      contains: [`"id":"${attacker.id}"`, '"verified":true', '"isNew":false', '"token":'],
      // the attacker's login origin goes with the password, the record is verified with a new one, then the
      // owner's link; the sign-in itself records the owner's login origin
      events: ['delete:_authOrigins', 'update:users', 'create:_externalAuths', 'create:_authOrigins'],
    });
    expect((await linksOf(attacker.id)).map((l) => l['providerId'])).toEqual(['victim']);
    expect((await failure(client().collection('users').authWithPassword('victim@example.com', 'attacker-pass-1'))).status).toBe(400);
    expect((await failure(attacker.pb.collection('users').authRefresh())).status).toBe(401);
    // and the owner keeps signing in
    const again = await signInWithProvider(env, client(), 'oidc', 'victim');
    expect(again.record.id).toBe(attacker.id);
  });

  it('GHSA-pq7p-mc74-g65w: a record pre-linked to the attacker\'s provider account keeps only the owner\'s link', async () => {
    const squat = await signInWithProvider(env, client(), 'oidc', 'mallory', { email: 'victim2@example.com' });
    expect(squat.record).toMatchObject({ email: 'victim2@example.com', verified: false });
    expect((await linksOf(squat.record.id)).map((l) => l['providerId'])).toEqual(['mallory']);

    const owner = await signInWithProvider(env, client(), 'oidc2', 'victim2');
    expect(owner.meta?.['isNew']).toBe(false);
    expect(owner.record).toMatchObject({ id: squat.record.id, verified: true });
    expect((await linksOf(squat.record.id)).map((l) => [l['provider'], l['providerId']])).toEqual([['oidc2', 'victim2']]);
    const stale = client();
    stale.authStore.save(squat.token, null);
    expect((await failure(stale.collection('users').authRefresh())).status).toBe(401);
    // the attacker's identity no longer reaches the record: it gets a record of its own
    const again = await signInWithProvider(env, client(), 'oidc', 'mallory');
    expect(again.meta?.['isNew']).toBe(true);
    expect(again.record.id).not.toBe(squat.record.id);
    expect(again.record['email']).toBe('mallory@example.com');
  });

  it('GHSA-pq7p-mc74-g65w with one provider: the squatter\'s link goes, the owner\'s takes its place', async () => {
    const squat = await signInWithProvider(env, client(), 'oidc', 'mallory-alt', { email: 'victim3@example.com' });
    const owner = await signInWithProvider(env, client(), 'oidc', 'victim3');
    expect(owner.record).toMatchObject({ id: squat.record.id, verified: true });
    expect((await linksOf(squat.record.id)).map((l) => l['providerId'])).toEqual(['victim3']);
    const again = await signInWithProvider(env, client(), 'oidc', 'mallory-alt');
    expect(again.record.id).not.toBe(squat.record.id);
  });
});

describe('verifying an email by mail drops the links made before (PocketBase\'s unverified → verified guard)', () => {
  it('a record pre-linked by an attacker, then verified by the owner\'s password reset, keeps no attacker link', async () => {
    const squat = await signInWithProvider(env, client(), 'oidc', 'mallory-reset', { email: 'victim4@example.com' });
    const attackerToken = squat.token;
    expect(squat.record['verified']).toBe(false);
    // the owner resets the password with the mailed token (signed here as the mail would carry it)
    const core = env.t.galley.core;
    const users = core.schema.findCollection('users')!;
    const row = await core.db.read.selectFrom('users').selectAll().where('id', '=', squat.record.id).executeTakeFirstOrThrow();
    await client().collection('users').confirmPasswordReset(await signPasswordResetToken(core, users, row), 'owner-pass-123', 'owner-pass-123');
    const owner = await client().collection('users').authWithPassword('victim4@example.com', 'owner-pass-123');
    expect(owner.record['verified']).toBe(true);
    expect(await linksOf(squat.record.id)).toEqual([]);
    // the attacker's identity now lands on a record of its own, and its old session is over
    const again = await signInWithProvider(env, client(), 'oidc', 'mallory-reset');
    expect(again.record.id).not.toBe(squat.record.id);
    const stale = client();
    stale.authStore.save(attackerToken, null);
    expect((await failure(stale.collection('users').authRefresh())).status).toBe(401);
  });
});

describe('failures are 4xx in PocketBase\'s shape', () => {
  const post = (body: unknown, collection = 'users', auth?: string) =>
    fetch(`${env.url}/api/collections/${collection}/auth-with-oauth2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));

  it('a wrong PKCE verifier, a spent code and a made-up code fail the token exchange', async () => {
    const pb = client();
    const { code, verifier } = await fetchAuthorizationCode(env, pb, 'oidc', 'frank');
    const wrong = await failure(pb.collection('users').authWithOAuth2Code('oidc', code, verifier.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')), REDIRECT_URL));
    expect(wrong).toMatchObject({ status: 400, body: { message: 'Failed to fetch OAuth2 token.' } });
    const fresh = await fetchAuthorizationCode(env, pb, 'oidc', 'frank');
    const ok = await pb.collection('users').authWithOAuth2Code('oidc', fresh.code, fresh.verifier, REDIRECT_URL);
    expect(ok.record['email']).toBe('frank@example.com');
    expect((await failure(pb.collection('users').authWithOAuth2Code('oidc', fresh.code, fresh.verifier, REDIRECT_URL))).status).toBe(400);
    expect(await post({ provider: 'oidc', code: 'made-up', codeVerifier: fresh.verifier, redirectURL: REDIRECT_URL })).toMatchObject({ status: 400, body: { message: 'Failed to fetch OAuth2 token.' } });
  });

  it('a redirect URL other than the one authorized fails', async () => {
    const pb = client();
    const { code, verifier } = await fetchAuthorizationCode(env, pb, 'oidc', 'frank');
    expect((await failure(pb.collection('users').authWithOAuth2Code('oidc', code, verifier, 'http://127.0.0.1:5173/elsewhere'))).status).toBe(400);
  });

  it('validates the body', async () => {
    const blank = await post({});
    expect(blank.status).toBe(400);
    expect(blank.body.data).toMatchObject({ provider: { code: 'validation_required' }, code: { code: 'validation_required' } });
    const unknown = await post({ provider: 'github', code: 'x' });
    expect(unknown.body.data.provider).toMatchObject({ code: 'validation_invalid_provider' });
    expect((await post({ provider: 'oidc', code: 'x', createData: 'nope' })).status).toBe(400);
  });

  it('OAuth2 on a collection without it, and on _superusers, is 403', async () => {
    const none = await post({ provider: 'oidc', code: 'x' }, '_superusers');
    expect(none).toMatchObject({ status: 403, body: { message: 'The collection is not configured to allow OAuth2 authentication.' } });
    expect((await post({ provider: 'oidc', code: 'x' }, 'nope')).status).toBe(404);
  });
});
