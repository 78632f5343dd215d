// OAuth2 sign-up through the normal create path: the createRule sees @request.context = "oauth2", a null
// createRule refuses, the avatar goes through the guarded fetch into a file field, and MFA asks for a 2nd factor.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureAvatarFetch } from '../../src/auth/oauth2/create-payload.ts';
import { fetchAuthorizationCode, oauth2Providers, signInWithProvider, startOAuth2Env, type OAuth2Env } from './harness.ts';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URL } from './oidc-server.ts';

// a 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

let env: OAuth2Env;
let avatars: Server;
let avatarPort = 0;
const avatarHits: string[] = [];

const authCollection = (name: string, extra: Record<string, unknown>, issuer: string) => ({
  name,
  type: 'auth',
  listRule: 'id = @request.auth.id',
  viewRule: 'id = @request.auth.id',
  createRule: '',
  updateRule: null,
  deleteRule: null,
  fields: [{ name: 'name', type: 'text', max: 255 }],
  oauth2: { enabled: true, providers: oauth2Providers(issuer).slice(0, 1) },
  ...extra,
});

/** Providers that fail at each stage: the client secret, the token endpoint, the user info, the id_token issuer. */
function brokenProviders(issuer: string) {
  const ok = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authURL: `${issuer}/auth`, tokenURL: `${issuer}/token` };
  return [
    { ...ok, name: 'oidc', clientSecret: 'not-the-secret', userInfoURL: `${issuer}/me` },
    { ...ok, name: 'oidc2', tokenURL: 'http://127.0.0.1:9/token', userInfoURL: `${issuer}/me` },
    { ...ok, name: 'oidc3', extra: { issuers: ['https://elsewhere.example'] } },
    { ...ok, name: 'microsoft', authURL: `${issuer}/auth`, userInfoURL: `http://127.0.0.1:${avatarPort}/not-json` },
  ];
}

beforeAll(async () => {
  avatars = createServer((req, res) => {
    avatarHits.push(`${req.headers.host}${req.url}`);
    res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
  });
  await new Promise<void>((r) => avatars.listen(0, '127.0.0.1', r));
  avatarPort = (avatars.address() as AddressInfo).port;
  env = await startOAuth2Env((issuer) => [
    authCollection('members', {
      createRule: '@request.context = "oauth2"',
      fields: [
        { name: 'name', type: 'text', max: 255 },
        { name: 'avatar', type: 'file', maxSelect: 1, maxSize: 1048576, mimeTypes: ['image/png'] },
      ],
      oauth2: { enabled: true, mappedFields: { name: 'name', avatarURL: 'avatar' }, providers: oauth2Providers(issuer).slice(0, 1) },
    }, issuer),
    authCollection('closed', { createRule: null }, issuer),
    authCollection('staff', {
      passwordAuth: { enabled: true, identityFields: ['email'] },
      mfa: { enabled: true, duration: 600, rule: '' },
      authAlert: { enabled: false },
    }, issuer),
    authCollection('plain', { oauth2: { enabled: false, providers: oauth2Providers(issuer).slice(0, 1) } }, issuer),
    authCollection('broken', { oauth2: { enabled: true, providers: brokenProviders(issuer) } }, issuer),
  ]);
  const a = env.oidc.accounts;
  a.set('gina', { email: 'gina@example.com', email_verified: true, name: 'Gina', picture: `http://avatars.test:${avatarPort}/gina.png` });
  a.set('hal', { email: 'hal@example.com', email_verified: true, picture: `http://127.0.0.1:${avatarPort}/hal.png` });
  a.set('ivy', { email: 'ivy@example.com', email_verified: true });
  a.set('jo', { email: 'jo@example.com', email_verified: true });
}, 60_000);

afterAll(async () => {
  await env?.close();
  avatars?.closeAllConnections();
  await new Promise((r) => avatars?.close(r));
});

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ClientResponseError) return err.status;
    throw err;
  }
}

describe('sign-up through the create path', () => {
  it('the createRule sees @request.context = "oauth2": a plain create is refused, the OAuth2 sign-up passes', async () => {
    const pb = new PocketBase(env.url);
    expect(await status(pb.collection('members').create({ email: 'x@example.com', password: 'password123', passwordConfirm: 'password123' }))).toBe(400);
    configureAvatarFetch(env.t.galley.core, {
      resolveHost: async (host) => (host === 'avatars.test' ? ['127.0.0.1'] : []),
      allowAddress: (ip) => ip === '127.0.0.1',
    });
    const auth = await signInWithProvider(env, pb, 'oidc', 'gina', undefined, 'members');
    expect(auth.meta?.['isNew']).toBe(true);
    expect(auth.record['name']).toBe('Gina');
    // the avatar came through the guarded fetch (allowed here for the test's name → 127.0.0.1) into the file field
    expect(auth.record['avatar']).toMatch(/^gina_[a-z0-9]+\.png$/);
    expect(avatarHits).toContain(`avatars.test:${avatarPort}/gina.png`);
  });

  it('an avatar URL pointing at a loopback address is never fetched; the sign-up goes on without it', async () => {
    configureAvatarFetch(env.t.galley.core, {});
    const before = avatarHits.length;
    const auth = await signInWithProvider(env, new PocketBase(env.url), 'oidc', 'hal', undefined, 'members');
    expect(auth.meta?.['isNew']).toBe(true);
    expect(auth.record['avatar']).toBe('');
    expect(avatarHits.length).toBe(before);
  });

  it('a null createRule refuses OAuth2 sign-up (no record, no link)', async () => {
    const admin = new PocketBase(env.url);
    admin.authStore.save(env.root, null);
    expect(await status(signInWithProvider(env, new PocketBase(env.url), 'oidc', 'ivy', undefined, 'closed'))).toBe(403);
    expect(await admin.collection('closed').getFullList()).toEqual([]);
    expect(await admin.collection('_externalAuths').getFullList({ filter: 'providerId = "ivy"' })).toEqual([]);
  });

  it('a collection with oauth2 off answers 403 and lists no providers', async () => {
    const pb = new PocketBase(env.url);
    const methods = await pb.collection('plain').listAuthMethods();
    expect(methods.oauth2).toEqual({ enabled: false, providers: [] });
    expect(await status(pb.collection('plain').authWithOAuth2Code('oidc', 'x', 'y', REDIRECT_URL))).toBe(403);
  });
});

describe('MFA', () => {
  it('an OAuth2 first factor answers 401 {mfaId}; the password with that mfaId logs in', async () => {
    const pb = new PocketBase(env.url);
    await pb.collection('staff').create({ email: 'jo@example.com', password: 'password123', passwordConfirm: 'password123' });
    const admin = new PocketBase(env.url);
    admin.authStore.save(env.root, null);
    const jo = await admin.collection('staff').getFirstListItem('email = "jo@example.com"');
    await admin.collection('staff').update(jo.id, { verified: true });
    const { code, verifier } = await fetchAuthorizationCode(env, pb, 'oidc', 'jo', 'staff');
    let mfaId = '';
    try {
      await pb.collection('staff').authWithOAuth2Code('oidc', code, verifier, REDIRECT_URL);
    } catch (err) {
      expect((err as ClientResponseError).status).toBe(401);
      mfaId = (err as ClientResponseError).response['mfaId'];
    }
    expect(mfaId).toMatch(/^[a-z0-9]{15}$/);
    expect(pb.authStore.isValid).toBe(false);
    const auth = await pb.collection('staff').authWithPassword('jo@example.com', 'password123', { mfaId });
    expect(auth.record.id).toBe(jo.id);
  });
});

describe('provider failures are 400 with PocketBase\'s messages, never 500', () => {
  it.each([
    ['oidc', 'Failed to fetch OAuth2 token.'], // the provider refuses the client secret
    ['oidc2', 'Failed to fetch OAuth2 token.'], // the token endpoint is unreachable
    ['oidc3', 'Failed to fetch OAuth2 user.'], // the id_token's issuer is not the configured one
    ['microsoft', 'Failed to fetch OAuth2 user.'], // the user info endpoint answers no JSON
  ])('%s', async (provider, message) => {
    const pb = new PocketBase(env.url);
    const { code, verifier } = await fetchAuthorizationCode(env, pb, provider, 'ivy', 'broken');
    try {
      await pb.collection('broken').authWithOAuth2Code(provider, code, verifier, REDIRECT_URL);
      expect.unreachable();
    } catch (err) {
      expect((err as ClientResponseError).status).toBe(400);
      expect((err as ClientResponseError).response['message']).toBe(message);
    }
  });
});
