// POST /api/galley/oauth2/check-provider (the dashboard's provider "Test" button) against the loopback OpenID
// provider: discovery, the endpoints answering, and the client credentials told apart by a made-up code's answer
// (invalid_grant: accepted; invalid_client: refused). Superusers only; bad input is a 4xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from '../helpers/scenario.ts';
import { signUp } from '../helpers/test-galley.ts';
import { startOAuth2Env, type OAuth2Env } from './harness.ts';
import { CLIENT_ID, CLIENT_SECRET } from './oidc-server.ts';

let env: OAuth2Env;
const tokens: Record<string, string | null> = { guest: null };

beforeAll(async () => {
  env = await startOAuth2Env();
  tokens['root'] = env.root;
  tokens['user'] = (await signUp(env.t, 'users', { email: 'u@example.com' })).token;
});
afterAll(() => env?.close());

const check = (provider: Record<string, unknown> | (() => Record<string, unknown>), as = 'root', collection = 'users') => ({
  method: 'POST',
  path: '/api/galley/oauth2/check-provider',
  as,
  body: () => ({ collection, provider: typeof provider === 'function' ? provider() : provider }),
});
const explicit = (extra: Record<string, unknown> = {}) => () => {
  const i = env.oidc.issuer;
  return { name: 'oidc', clientId: CLIENT_ID, authURL: `${i}/auth`, tokenURL: `${i}/token`, userInfoURL: `${i}/me`, ...extra };
};
const statusOf = (j: any, name: string) => j.checks.find((c: any) => c.check === name)?.status;

const table: Scenario[] = [
  { name: 'a guest may not check a provider', ...check({ name: 'oidc' }, 'guest'), status: 401 },
  { name: 'a user may not check a provider', ...check({ name: 'oidc' }, 'user'), status: 403 },
  { name: 'an unknown provider name is a 400', ...check({ name: 'myspace' }), status: 400, contains: ['validation_invalid_value'] },
  { name: 'no provider is a 400', method: 'POST', path: '/api/galley/oauth2/check-provider', as: 'root', body: { collection: 'users' }, status: 400 },
  { name: 'an unknown collection is a 404', ...check({ name: 'oidc' }, 'root', 'nope'), status: 404 },
  {
    name: 'the saved secret (none sent): the endpoints answer and the credentials are accepted (invalid_grant)',
    ...check(explicit()), status: 200,
    check: (j) => {
      expect(j.ok).toBe(true);
      expect(statusOf(j, 'endpoints')).toBe('ok');
      expect(statusOf(j, 'credentials')).toBe('ok');
      expect(j.checks.find((c: any) => c.check === 'credentials').message).toContain('invalid_grant');
      expect(statusOf(j, 'discovery')).toBeUndefined();
    },
  },
  {
    name: 'a wrong secret is told apart: invalid_client',
    ...check(explicit({ clientSecret: 'not-the-secret' })), status: 200,
    check: (j) => {
      expect(j.ok).toBe(false);
      expect(statusOf(j, 'endpoints')).toBe('ok');
      expect(statusOf(j, 'credentials')).toBe('failed');
      expect(j.checks.find((c: any) => c.check === 'credentials').message).toContain('invalid_client');
    },
  },
  {
    name: 'no collection (one not created yet): the secret sent is checked',
    method: 'POST', path: '/api/galley/oauth2/check-provider', as: 'root', status: 200,
    body: () => ({ provider: explicit({ clientSecret: CLIENT_SECRET })() }),
    check: (j) => expect(statusOf(j, 'credentials')).toBe('ok'),
  },
  {
    name: 'a wrong client id is refused as well',
    ...check(explicit({ clientId: 'someone-else' })), status: 200,
    check: (j) => expect(statusOf(j, 'credentials')).toBe('failed'),
  },
  {
    name: 'an issuer only: its discovery document gives the endpoints, then the credentials are accepted',
    ...check(() => ({ name: 'oidc2', clientId: CLIENT_ID, extra: { issuer: env.oidc.issuer } })), status: 200,
    check: (j) => {
      expect(j.checks.map((c: any) => [c.check, c.status])).toEqual([['discovery', 'ok'], ['endpoints', 'ok'], ['credentials', 'ok']]);
    },
  },
  {
    name: 'an issuer without a discovery document fails discovery, and the endpoints it left empty',
    ...check(() => ({ name: 'oidc2', clientId: CLIENT_ID, extra: { issuer: `${env.oidc.issuer}/nowhere` } })), status: 200,
    check: (j) => {
      expect(j.ok).toBe(false);
      expect(statusOf(j, 'discovery')).toBe('failed');
      expect(j.checks.find((c: any) => c.check === 'endpoints').message).toContain('no authorization URL');
    },
  },
  {
    name: 'a token URL nobody answers fails the endpoints and the token request',
    ...check(explicit({ tokenURL: 'http://127.0.0.1:1/token' })), status: 200,
    check: (j) => {
      expect(j.ok).toBe(false);
      expect(statusOf(j, 'endpoints')).toBe('failed');
      expect(statusOf(j, 'credentials')).toBe('failed');
      expect(j.checks.find((c: any) => c.check === 'endpoints').message).toContain('unreachable');
    },
  },
];

describe('POST /api/galley/oauth2/check-provider', () => {
  it.each(table)('$name', async (s) => {
    await runScenario(env.t, s, tokens);
  });
});
