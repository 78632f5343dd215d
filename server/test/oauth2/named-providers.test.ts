// The named providers' user mapping (PocketBase's tools/auth): a loopback server answers in each vendor's shapes
// (GitHub's form-encoded token and /user/emails, GitLab's confirmed_at, Discord's verified flag, Microsoft's
// id_token email claims, Apple's JWKS-signed id_token), configured through the providers' URL overrides.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authSchema, startAuthGalley, type AuthTestGalley } from '../auth/harness.ts';

const CLIENT = 'vendor-client';
let t: AuthTestGalley;
let vendor: Server;
let base = '';
let appleKey: CryptoKey;
let otherKey: CryptoKey;
let publicJwk: Awaited<ReturnType<typeof exportJWK>>;
const tokenRequests: Array<{ auth: string; body: string }> = [];

const sendJson = (res: ServerResponse, status: number, data: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(data));

async function appleIdToken(claims: Record<string, unknown>, key = appleKey) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'apple-test' }).setIssuer('https://appleid.apple.com').setAudience(CLIENT)
    .setIssuedAt().setExpirationTime('5m').sign(key);
}

const USERS: Record<string, unknown> = {
  'gh-verified': { id: 583231, login: 'octocat', name: 'The Octocat', avatar_url: 'https://avatars.example/u/583231' },
  'gh-unverified': { id: 583232, login: 'octodog', name: '' },
  'gl-confirmed': { id: 7, username: 'tanuki', name: 'Tanuki', email: 'tanuki@example.com', avatar_url: '', confirmed_at: '2020-01-02T03:04:05Z' },
  'gl-unconfirmed': { id: 8, username: 'fox', name: 'Fox', email: 'fox@example.com', confirmed_at: null },
  'dc-verified': { id: '80351110224678912', username: 'nelly', discriminator: '1337', global_name: null, avatar: 'a_8342729', email: 'nelly@example.com', verified: true },
  'ms-default': { id: 'ms-1', displayName: 'Mia', mail: 'mia@unverified.example' },
  'ms-graph': { id: 'ms-2', displayName: 'Max', mail: 'max@example.com' },
};
const EMAILS: Record<string, unknown> = {
  'gh-verified': [{ email: 'old@example.com', verified: true, primary: false }, { email: 'octocat@example.com', verified: true, primary: true }],
  'gh-unverified': [{ email: 'octodog@example.com', verified: false, primary: true }],
};

async function answer(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString();
  const url = req.url ?? '';
  const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  if (url === '/token') {
    tokenRequests.push({ auth: req.headers.authorization ?? '', body });
    const code = new URLSearchParams(body).get('code') ?? '';
    if (code.startsWith('gh-')) return void res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' }).end(`access_token=${code}&scope=read%3Auser&token_type=bearer`);
    const extra: Record<string, unknown> = {};
    if (code === 'ms-default') extra['id_token'] = await new SignJWT({ verified_primary_email: 'mia@example.com' }).setProtectedHeader({ alg: 'HS256' }).setAudience(CLIENT).setIssuedAt().sign(new TextEncoder().encode('x'.repeat(32)));
    if (code === 'apple-ok') extra['id_token'] = await appleIdToken({ sub: '001122.apple', email: 'ap@privaterelay.appleid.com', email_verified: 'true' });
    if (code === 'apple-forged') extra['id_token'] = await appleIdToken({ sub: '001122.apple', email: 'ap@privaterelay.appleid.com', email_verified: true }, otherKey);
    return sendJson(res, 200, { access_token: code, token_type: 'Bearer', expires_in: 3600, refresh_token: `r-${code}`, ...extra });
  }
  if (url === '/apple/jwks') return sendJson(res, 200, { keys: [{ ...publicJwk, kid: 'apple-test', alg: 'RS256', use: 'sig' }] });
  if (url.endsWith('/user/emails')) return EMAILS[bearer] ? sendJson(res, 200, EMAILS[bearer]) : sendJson(res, 404, {});
  if (USERS[bearer]) return sendJson(res, 200, USERS[bearer]);
  sendJson(res, 401, { error: 'invalid_token' });
}

beforeAll(async () => {
  otherKey = (await generateKeyPair('RS256')).privateKey as CryptoKey;
  const pair = await generateKeyPair('RS256', { extractable: true });
  appleKey = pair.privateKey as CryptoKey;
  publicJwk = await exportJWK(pair.publicKey);
  vendor = createServer((req, res) => void answer(req, res));
  await new Promise<void>((r) => vendor.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`;
  const p = (name: string, userInfoURL: string, extra?: Record<string, unknown>) => ({
    name, clientId: CLIENT, clientSecret: 'vendor-secret', authURL: `${base}/authorize`, tokenURL: `${base}/token`, userInfoURL, ...(extra ? { extra } : {}),
  });
  const schema = authSchema({
    oauth2: {
      enabled: true,
      providers: [
        p('github', `${base}/user`),
        p('gitlab', `${base}/api/v4/user`),
        p('discord', `${base}/users/@me`),
        p('microsoft', `${base}/me`),
        p('apple', '', { jwksURL: `${base}/apple/jwks` }),
      ],
    },
  });
  const graph = authSchema({ oauth2: { enabled: true, providers: [p('microsoft', `${base}/me`, { idTokenEmailClaim: 'graph_mail' })] } });
  (graph[0] as Record<string, unknown>)['name'] = 'graphusers';
  t = await startAuthGalley([...schema, ...graph], { settings: { rateLimits: { enabled: false } } as never });
});
afterAll(async () => {
  await t?.close();
  vendor?.closeAllConnections();
  await new Promise((r) => vendor?.close(r));
});

// createData gives an email for the users whose provider vouches for none (the collection requires one)
const signIn = (provider: string, code: string, collection = 'users', createData?: Record<string, unknown>) =>
  t.call('POST', `/api/collections/${collection}/auth-with-oauth2`, { body: { provider, code, codeVerifier: 'v'.repeat(43), redirectURL: 'http://127.0.0.1/cb', createData } });

describe('named providers map the user as PocketBase does', () => {
  it('GitHub: numeric id, login, the verified primary email from /user/emails, form-encoded token answer', async () => {
    const res = await signIn('github', 'gh-verified');
    expect(res.status).toBe(200);
    expect(res.json.meta).toMatchObject({ id: '583231', username: 'octocat', name: 'The Octocat', email: 'octocat@example.com', avatarURL: 'https://avatars.example/u/583231', accessToken: 'gh-verified', expiry: '' });
    expect(res.json.record).toMatchObject({ email: 'octocat@example.com', verified: true });
    // client credentials went in a Basic header first, and the PKCE verifier with the code
    const sent = tokenRequests.at(-1)!;
    expect(sent.auth).toBe(`Basic ${Buffer.from('vendor-client:vendor-secret').toString('base64')}`);
    expect(new URLSearchParams(sent.body).get('code_verifier')).toBe('v'.repeat(43));
    const unverified = await signIn('github', 'gh-unverified', 'users', { email: 'gh-unverified@fallback.example' });
    expect(unverified.json.meta.email).toBe('');
    expect(unverified.json.record).toMatchObject({ email: 'gh-unverified@fallback.example', verified: false });
  });

  it('GitLab: the email only when confirmed_at is set', async () => {
    expect((await signIn('gitlab', 'gl-confirmed')).json.meta).toMatchObject({ id: '7', username: 'tanuki', email: 'tanuki@example.com' });
    expect((await signIn('gitlab', 'gl-unconfirmed', 'users', { email: 'fox@fallback.example' })).json.meta).toMatchObject({ id: '8', email: '' });
  });

  it('Discord: name with discriminator, CDN avatar, verified email', async () => {
    const res = await signIn('discord', 'dc-verified');
    expect(res.json.meta).toMatchObject({
      id: '80351110224678912', name: 'nelly#1337', username: 'nelly', email: 'nelly@example.com',
      avatarURL: 'https://cdn.discordapp.com/avatars/80351110224678912/a_8342729.png', refreshToken: 'r-dc-verified',
    });
    expect(res.json.meta.expiry).toMatch(/Z$/);
  });

  it('Microsoft: the verified email claim of the id_token by default, Graph `mail` only when chosen', async () => {
    expect((await signIn('microsoft', 'ms-default')).json.meta).toMatchObject({ id: 'ms-1', name: 'Mia', email: 'mia@example.com' });
    expect((await signIn('microsoft', 'ms-graph', 'graphusers')).json.meta).toMatchObject({ id: 'ms-2', email: 'max@example.com' });
  });

  it('Apple: the id_token checked against the JWKS (a string email_verified counts); a forged one is refused', async () => {
    const res = await signIn('apple', 'apple-ok');
    expect(res.status).toBe(200);
    expect(res.json.meta).toMatchObject({ id: '001122.apple', email: 'ap@privaterelay.appleid.com' });
    const forged = await signIn('apple', 'apple-forged');
    expect(forged.status).toBe(400);
    expect(forged.json.message).toBe('Failed to fetch OAuth2 user.');
  });
});
