// Rate limits per client IP, on by default for auth routes (PocketBase ships them off): 429 "Too Many
// Requests.", PocketBase's label matching and audiences, superuser/excluded-IP bypass, trusted proxies only
// from configured peers, and the real socket address under Bun.serve / node:http.
// The Galley reads a pinned clock (createGalley's `clock`): a window such as "10 logins in 3 s" holds because the
// test says when time moves, not because 11 argon2 logins happened to finish within 3 s on a loaded CI box (two
// vitest workers on two cores, each login hashing a dummy password).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findRateLimitRule } from '../../src/http/rate-limit.ts';
import { signUp, superuserToken } from '../helpers/test-galley.ts';
import { authSchema, startAuthGalley, type AuthTestGalley } from './harness.ts';

let t: AuthTestGalley;
let root = '';
let user = '';
const login = '/api/collections/users/auth-with-password';
let guesses = 0;
/** the Galley's time: moved only by the tests that are about a window ending */
let now = Date.parse('2026-03-01T12:00:00.000Z');
// a new identity per guess: the per-account sign-in throttle (sign-in-throttle.routes.test.ts) stays out of these counts
const wrong = () => ({ identity: `nobody${++guesses}@example.com`, password: 'wrong-password' });

beforeAll(async () => {
  t = await startAuthGalley(authSchema(), { clock: () => new Date(now) });
  root = await superuserToken(t);
  user = (await signUp(t, 'users', { email: 'amy@example.com' })).token;
}, 60_000);

afterAll(() => t?.close());

/** Fresh counters and the default rules after every test (a settings save restarts the limiter). */
afterEach(async () => {
  await t.call('PATCH', '/api/settings', { auth: root, body: { rateLimits: { enabled: true, excludedIPs: [], rules: defaults }, trustedProxy: { headers: [], ips: [], useLeftmostIP: false } } });
});
let defaults: unknown[] = [];
beforeAll(async () => {
  defaults = (await t.call('GET', '/api/settings', { auth: root })).json.rateLimits.rules;
});

async function statuses(n: number, make: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await make(i)).status);
  return out;
}

const setRules = (rateLimits: Record<string, unknown>, trustedProxy?: Record<string, unknown>) =>
  t.call('PATCH', '/api/settings', { auth: root, body: { rateLimits, ...(trustedProxy ? { trustedProxy } : {}) } });

describe('defaults', () => {
  it('the 11th password login from one IP within 3 s is a 429; another IP is not affected; 3 s on, it is let in', async () => {
    const seen = await statuses(11, () => t.call('POST', login, { body: wrong(), ip: '198.51.100.7' }));
    expect(seen).toEqual([...Array(10).fill(400), 429]);
    now += 2_000;
    const limited = await t.call('POST', login, { body: wrong(), ip: '198.51.100.7' });
    expect(limited.json).toEqual({ data: {}, message: 'Too Many Requests.', status: 429 });
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await t.call('POST', login, { body: wrong(), ip: '198.51.100.8' })).status).toBe(400);
    now += 1_000;
    expect((await t.call('POST', login, { body: wrong(), ip: '198.51.100.7' })).status).toBe(400);
  });

  it('the 6th password-reset request from one IP within a minute is a 429 (a mail bomb stops there)', async () => {
    const seen = await statuses(6, (i) => t.call('POST', '/api/collections/users/request-password-reset', { body: { email: `x${i}@example.com` }, ip: '198.51.100.9' }));
    expect(seen).toEqual([204, 204, 204, 204, 204, 429]);
  });

  it('record routes are not limited by default; requests without a client address are not counted', async () => {
    expect(new Set(await statuses(40, () => t.call('GET', '/api/collections/users/records', { ip: '198.51.100.10' })))).toEqual(new Set([200]));
    expect(new Set(await statuses(12, () => t.call('POST', login, { body: wrong() })))).toEqual(new Set([400]));
  });

  it('the limit is checked before the password is: a limited login never reaches the sign-in', async () => {
    await statuses(10, () => t.call('POST', login, { body: wrong(), ip: '198.51.100.11' }));
    const amy = (password: string, ip: string) => t.call('POST', login, { body: { identity: 'amy@example.com', password }, ip });
    expect((await amy('password123', '198.51.100.11')).status).toBe(429);
    // 7 wrong guesses at amy's password, limited: had they reached the sign-in, the per-account throttle
    // (5 free attempts, then a 1 s wait on the pinned clock) would now hold amy back from any new address
    expect(await statuses(7, () => amy('wrong-password', '198.51.100.11'))).toEqual(Array(7).fill(429));
    expect((await amy('password123', '198.51.100.12')).status).toBe(200);
  });
});

describe('settings', () => {
  it('a collection label wins over the wildcard; a disabled limiter counts nothing', async () => {
    await setRules({ rules: [{ label: '*:auth', duration: 60, maxRequests: 50 }, { label: 'users:authWithPassword', duration: 60, maxRequests: 2 }] });
    expect(await statuses(3, () => t.call('POST', login, { body: wrong(), ip: '203.0.113.1' }))).toEqual([400, 400, 429]);
    await setRules({ enabled: false });
    expect(await statuses(3, () => t.call('POST', login, { body: wrong(), ip: '203.0.113.1' }))).toEqual([400, 400, 400]);
  });

  it('path and prefix labels, method-qualified ones too', async () => {
    await setRules({ rules: [{ label: '/api/', duration: 60, maxRequests: 3 }] });
    expect(await statuses(4, () => t.call('GET', '/api/health', { ip: '203.0.113.2' }))).toEqual([200, 200, 200, 429]);
    await setRules({ rules: [{ label: 'GET /api/collections/users/records', duration: 60, maxRequests: 1 }] });
    expect(await statuses(2, () => t.call('GET', '/api/collections/users/records', { ip: '203.0.113.2' }))).toEqual([200, 429]);
    expect((await t.call('GET', '/api/health', { ip: '203.0.113.2' })).status).toBe(200);
    // a path label is the path alone: the query string is no part of it
    await setRules({ rules: [{ label: '/api/collections/users/records', duration: 60, maxRequests: 1 }] });
    expect(await statuses(2, () => t.call('GET', '/api/collections/users/records?perPage=1', { ip: '203.0.113.2' }))).toEqual([200, 429]);
  });

  it('audiences: @guest rules spare signed-in users, @auth rules spare guests', async () => {
    await setRules({ rules: [{ label: 'users:list', audience: '@guest', duration: 60, maxRequests: 1 }] });
    expect(await statuses(2, () => t.call('GET', '/api/collections/users/records', { ip: '203.0.113.3' }))).toEqual([200, 429]);
    expect(await statuses(3, () => t.call('GET', '/api/collections/users/records', { ip: '203.0.113.3', auth: user }))).toEqual([200, 200, 200]);
    await setRules({ rules: [{ label: 'users:list', audience: '@auth', duration: 60, maxRequests: 1 }] });
    expect(await statuses(2, () => t.call('GET', '/api/collections/users/records', { ip: '203.0.113.3', auth: user }))).toEqual([200, 429]);
    expect(await statuses(3, () => t.call('GET', '/api/collections/users/records', { ip: '203.0.113.3' }))).toEqual([200, 200, 200]);
  });

  it('superusers and excluded IPs (subnets too) are never limited', async () => {
    await setRules({ rules: [{ label: '*:listAuthMethods', duration: 60, maxRequests: 1 }], excludedIPs: ['10.0.0.0/8'] });
    const path = '/api/collections/users/auth-methods';
    expect(await statuses(3, () => t.call('GET', path, { ip: '203.0.113.4', auth: root }))).toEqual([200, 200, 200]);
    expect(await statuses(3, () => t.call('GET', path, { ip: '10.20.30.40' }))).toEqual([200, 200, 200]);
    expect(await statuses(2, () => t.call('GET', path, { ip: '203.0.113.4' }))).toEqual([200, 429]);
  });

  it('PocketBase’s rule lookup order', () => {
    const rules = [
      { label: '/api/', audience: '', duration: 1, maxRequests: 1 },
      { label: '*:auth', audience: '@guest', duration: 1, maxRequests: 2 },
      { label: 'users:auth', audience: '', duration: 1, maxRequests: 3 },
    ];
    expect(findRateLimitRule(rules, ['users:auth', '*:auth', 'POST /api/x', '/api/x'], ['', '@guest'])?.maxRequests).toBe(3);
    expect(findRateLimitRule(rules, ['staff:auth', '*:auth', 'POST /api/x', '/api/x'], ['', '@guest'])?.maxRequests).toBe(2);
    expect(findRateLimitRule(rules, ['staff:auth', '*:auth', 'POST /api/x', '/api/x'], ['', '@auth'])?.maxRequests).toBe(1);
    expect(findRateLimitRule(rules, ['/other'], [''])).toBeUndefined();
  });
});

describe('client IP behind proxies', () => {
  const rule = { rules: [{ label: '*:listAuthMethods', duration: 60, maxRequests: 1 }] };
  const path = '/api/collections/users/auth-methods';
  const from = (peer: string, forwarded: string) => t.call('GET', path, { ip: peer, headers: { 'x-forwarded-for': forwarded } });

  it('without trusted headers, X-Forwarded-For changes nothing', async () => {
    await setRules(rule);
    expect([(await from('127.0.0.1', '1.1.1.1')).status, (await from('127.0.0.1', '2.2.2.2')).status]).toEqual([200, 429]);
  });

  it('a loopback proxy is trusted by default once the header is configured: each forwarded client has its own bucket', async () => {
    await setRules(rule, { headers: ['X-Forwarded-For'] });
    expect([(await from('127.0.0.1', '9.9.9.9, 1.1.1.1')).status, (await from('127.0.0.1', '9.9.9.9, 2.2.2.2')).status]).toEqual([200, 200]);
    expect((await from('127.0.0.1', '8.8.8.8, 1.1.1.1')).status).toBe(429);
  });

  it('a forged header from a peer that is not a trusted proxy is ignored', async () => {
    await setRules(rule, { headers: ['X-Forwarded-For'] });
    expect([(await from('203.0.113.50', '1.1.1.1')).status, (await from('203.0.113.50', '2.2.2.2')).status]).toEqual([200, 429]);
  });

  it('with trustedProxy.ips set, only those peers are believed; useLeftmostIP reads the other end', async () => {
    await setRules(rule, { headers: ['X-Forwarded-For'], ips: ['10.1.1.0/24'], useLeftmostIP: true });
    expect([(await from('127.0.0.1', '1.1.1.1')).status, (await from('127.0.0.1', '2.2.2.2')).status]).toEqual([200, 429]);
    expect([(await from('10.1.1.5', '3.3.3.3, 7.7.7.7')).status, (await from('10.1.1.6', '4.4.4.4, 7.7.7.7')).status]).toEqual([200, 200]);
    expect((await from('10.1.1.5', '3.3.3.3, 6.6.6.6')).status).toBe(429);
    expect([(await from('10.1.1.5', 'not-an-ip')).status, (await from('10.1.1.5', 'garbage')).status]).toEqual([200, 429]);
  });
});

describe('the real socket address', () => {
  it('a listener counts each connection’s peer address', async () => {
    const { url } = await t.galley.listen('127.0.0.1:0');
    const seen: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await fetch(url + login, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(wrong()) });
      seen.push(res.status);
    }
    expect(seen).toEqual([...Array(10).fill(400), 429]);
    // 10 logins that each hash a dummy password: seconds unloaded, more than the default 20 s on 2 loaded cores
  }, 60_000);
});
