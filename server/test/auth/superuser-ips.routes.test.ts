// settings.superuserIPs: with a non-empty list, superusers are answered 403 from any other address (their
// logins included); other callers are unaffected; an empty list lets superusers in from anywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, signUp, superuserToken, type Scenario } from '../helpers/test-galley.ts';
import { authSchema, startAuthGalley, type AuthTestGalley } from './harness.ts';

let t: AuthTestGalley;
let root = '';
let alice = '';
const INSIDE = '10.7.0.5';
const SUBNET = '192.168.50.77';
const OUTSIDE = '10.7.0.6';

beforeAll(async () => {
  t = await startAuthGalley(authSchema(), { settings: { rateLimits: { enabled: false } } });
  root = await superuserToken(t);
  alice = (await signUp(t, 'users', { email: 'alice@example.com' })).token;
  const set = await t.call('PATCH', '/api/settings', { body: { superuserIPs: [INSIDE, '192.168.50.0/24'] }, auth: root });
  expect(set.status, set.text).toBe(200);
}, 60_000);

afterAll(() => t?.close());

const superLogin = { identity: 'root@example.com', password: 'rootpass123' };

describe('superuserIPs', () => {
  const table = (): Scenario[] => [
    { name: 'a superuser from a listed address', method: 'GET', path: '/api/settings', as: root, ip: INSIDE, status: 200 },
    { name: 'a superuser from a listed subnet', method: 'GET', path: '/api/collections', as: root, ip: SUBNET, status: 200 },
    { name: 'a superuser from elsewhere', method: 'GET', path: '/api/settings', as: root, ip: OUTSIDE, status: 403, contains: ['You are not allowed to perform this request.'] },
    { name: 'a superuser from elsewhere, on a record route', method: 'GET', path: '/api/collections/users/records', as: root, ip: OUTSIDE, status: 403 },
    { name: 'a superuser whose address is unknown', method: 'GET', path: '/api/settings', as: root, status: 403 },
    { name: 'a superuser login from elsewhere', method: 'POST', path: '/api/collections/_superusers/auth-with-password', body: superLogin, ip: OUTSIDE, status: 403 },
    { name: 'a superuser login by collection id from elsewhere', method: 'POST', path: '/api/collections/pbc_3142635823/auth-with-password', body: superLogin, ip: OUTSIDE, status: 403 },
    { name: 'a superuser login from a listed address', method: 'POST', path: '/api/collections/_superusers/auth-with-password', body: superLogin, ip: INSIDE, status: 200, contains: ['"token"'] },
    { name: 'a user from elsewhere', method: 'GET', path: '/api/collections/users/records', as: alice, ip: OUTSIDE, status: 200 },
    { name: 'a user login from elsewhere', method: 'POST', path: '/api/collections/users/auth-with-password', body: { identity: 'alice@example.com', password: 'password123' }, ip: OUTSIDE, status: 200 },
    { name: 'a guest from elsewhere', method: 'GET', path: '/api/health', ip: OUTSIDE, status: 200 },
  ];

  it('every row answers as expected', async () => {
    // `as` holds the token itself
    for (const s of table()) await runScenario(t, s);
  });

  it('an empty list lets superusers in from anywhere again', async () => {
    const cleared = await t.call('PATCH', '/api/settings', { body: { superuserIPs: [] }, auth: root, ip: INSIDE });
    expect(cleared.status, cleared.text).toBe(200);
    expect((await t.call('GET', '/api/settings', { auth: root, ip: OUTSIDE })).status).toBe(200);
    expect((await t.call('GET', '/api/settings', { auth: root })).status).toBe(200);
  });
});
