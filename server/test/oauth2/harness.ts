// Galley + a loopback OpenID provider for the OAuth2 tests, and the code flow as the SDK's callers run it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import PocketBase from 'pocketbase';
import { authSchema, startAuthGalley, type AuthTestGalley } from '../auth/harness.ts';
import { superuserToken } from '../helpers/test-galley.ts';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URL, startTestOidc, type TestOidc } from './oidc-server.ts';

export interface OAuth2Env {
  t: AuthTestGalley;
  oidc: TestOidc;
  url: string;
  root: string;
  close(): Promise<void>;
}

/** Providers of `users`: oidc (explicit URLs, user info endpoint), oidc2 (discovery), oidc3 (id_token + JWKS). */
export function oauth2Providers(issuer: string): Record<string, unknown>[] {
  const base = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
  return [
    { ...base, name: 'oidc', displayName: 'Loopback ID', authURL: `${issuer}/auth`, tokenURL: `${issuer}/token`, userInfoURL: `${issuer}/me` },
    { ...base, name: 'oidc2', extra: { issuer } },
    { ...base, name: 'oidc3', authURL: `${issuer}/auth`, tokenURL: `${issuer}/token`, extra: { jwksURL: `${issuer}/jwks`, issuers: [issuer] } },
  ];
}

export function oauth2Schema(issuer: string, users: Record<string, unknown> = {}): unknown[] {
  const [collection] = authSchema({
    fields: [
      { name: 'name', type: 'text', max: 255 },
      { name: 'avatarUrl', type: 'url' },
      { name: 'handle', type: 'text', max: 40 },
    ],
    indexes: ['CREATE UNIQUE INDEX idx_users_handle ON users (handle) WHERE handle != \'\''],
    oauth2: { enabled: true, mappedFields: { name: 'name', avatarURL: 'avatarUrl', username: 'handle' }, providers: oauth2Providers(issuer) },
    ...users,
  }) as Record<string, unknown>[];
  return [collection];
}

/** A port free right now (the provider must know Galley's redirect URL before Galley listens). */
async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** `allInOne`: Galley's own /api/oauth2-redirect is registered at the provider too (the SDK's popup flow). */
export async function startOAuth2Env(schemaOf: (issuer: string) => unknown[] = (i) => oauth2Schema(i), opts: { allInOne?: boolean } = {}): Promise<OAuth2Env> {
  const port = opts.allInOne ? await findFreePort() : 0;
  const oidc = await startTestOidc(opts.allInOne ? [REDIRECT_URL, `http://127.0.0.1:${port}/api/oauth2-redirect`] : [REDIRECT_URL]);
  const t = await startAuthGalley(schemaOf(oidc.issuer), { settings: { rateLimits: { enabled: false } } as never });
  const root = await superuserToken(t);
  const { url } = await t.galley.listen(`127.0.0.1:${port}`);
  return {
    t,
    oidc,
    url,
    root,
    async close() {
      await t.close();
      await oidc.close();
    },
  };
}

/** The whole code flow through the SDK: auth-methods → provider (as `login`) → authWithOAuth2Code. */
export async function signInWithProvider(env: OAuth2Env, pb: PocketBase, provider: string, login: string, createData?: Record<string, unknown>, collection = 'users') {
  const { code, verifier } = await fetchAuthorizationCode(env, pb, provider, login, collection);
  return pb.collection(collection).authWithOAuth2Code(provider, code, verifier, REDIRECT_URL, createData);
}

export async function fetchAuthorizationCode(env: OAuth2Env, pb: PocketBase, provider: string, login: string, collection = 'users') {
  const methods = await pb.collection(collection).listAuthMethods();
  const p = methods.oauth2.providers.find((x) => x.name === provider);
  if (!p) throw new Error(`no provider ${provider} in auth-methods`);
  const back = await env.oidc.authorize(p.authURL + encodeURIComponent(REDIRECT_URL), login);
  if (back.state !== p.state) throw new Error('state changed on the way');
  if (back.error !== '') throw new Error(`provider error ${back.error}`);
  return { code: back.code, verifier: p.codeVerifier, state: p.state };
}
