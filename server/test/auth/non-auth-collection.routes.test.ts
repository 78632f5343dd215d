// Auth routes on a collection that is not an auth collection answer as PocketBase's apis/record_auth_*_test.go
// expect: a route that requires auth asks for it first (401 without a token, 403 with one of another collection)
// before the 404; the others are 404. And auth-methods answers its keys in PocketBase's order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from '../helpers/scenario.ts';
import { signUp, startTestGalley, superuserToken, type TestGalley } from '../helpers/test-galley.ts';

const SCHEMA = {
  collections: [
    { name: 'users', type: 'auth', createRule: '', fields: [], otp: { enabled: true }, mfa: { enabled: false } },
    { name: 'demo1', type: 'base', fields: [{ name: 'title', type: 'text' }] },
  ],
};

describe('auth routes on a base collection (PocketBase apis/record_auth_*_test.go)', () => {
  let g: TestGalley;
  const tokens: Record<string, string | null> = { guest: null };
  beforeAll(async () => {
    g = await startTestGalley(SCHEMA);
    tokens['user'] = (await signUp(g, 'users', { email: 'u@example.com' })).token;
    tokens['root'] = await superuserToken(g);
  });
  afterAll(() => g?.close());

  const post = (name: string, route: string, as: string, status: number, body: unknown = {}): Scenario => ({ name, method: 'POST', path: `/api/collections/demo1/${route}`, as, status, body });
  const table: Scenario[] = [
    { name: 'auth-methods is 404', method: 'GET', path: '/api/collections/demo1/auth-methods', as: 'guest', status: 404 },
    post('auth-with-password is 404', 'auth-with-password', 'guest', 404, { identity: 'u@example.com', password: '1234567890' }),
    post('auth-with-oauth2 is 404', 'auth-with-oauth2', 'guest', 404),
    post('request-otp is 404', 'request-otp', 'guest', 404, { email: 'u@example.com' }),
    post('auth-with-otp is 404', 'auth-with-otp', 'guest', 404),
    post('request-password-reset is 404', 'request-password-reset', 'guest', 404, { email: 'u@example.com' }),
    post('confirm-password-reset is 404', 'confirm-password-reset', 'guest', 404),
    post('request-verification is 404', 'request-verification', 'guest', 404, { email: 'u@example.com' }),
    post('confirm-verification is 404', 'confirm-verification', 'guest', 404),
    post('confirm-email-change is 404', 'confirm-email-change', 'guest', 404),
    post('auth-refresh without a token asks for one (401)', 'auth-refresh', 'guest', 401),
    post('auth-refresh with a users token is 403', 'auth-refresh', 'user', 403),
    post('request-email-change without a token asks for one (401)', 'request-email-change', 'guest', 401, { newEmail: 'n@example.com' }),
    post('request-email-change with a users token is 403', 'request-email-change', 'user', 403, { newEmail: 'n@example.com' }),
    post('impersonate without a token asks for one (401)', 'impersonate/abc', 'guest', 401),
    post('impersonate as a user is 403', 'impersonate/abc', 'user', 403),
    post('impersonate as a superuser is 404', 'impersonate/abc', 'root', 404),
    {
      name: 'auth-methods answers its keys in PocketBase’s order',
      method: 'GET', path: '/api/collections/users/auth-methods', status: 200,
      contains: ['{"password":{"identityFields":["email"],"enabled":true},"oauth2":{"providers":[],"enabled":false},"mfa":{"enabled":false,"duration":0},"otp":{"enabled":true,"duration":'],
      check: (j) => expect(Object.keys(j)).toEqual(['password', 'oauth2', 'mfa', 'otp', 'authProviders', 'usernamePassword', 'emailPassword']),
    },
  ];
  it.each(table)('$name', async (s) => {
    await runScenario(g, s, tokens);
  });
});
