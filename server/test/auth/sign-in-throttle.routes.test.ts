// The per-account throttle on failed password sign-ins (auth/sign-in-throttle.ts) through auth-with-password:
// each guess from a new address (so the per-IP limit never applies) still counts against the account; past the
// free tries the next one is PocketBase's 429 until its slot; the owner's right password works from an address
// they signed in from before, and from anywhere once the wait has passed; an unknown email is throttled
// identically (same statuses, bodies and Retry-After), and rate limits off turn the throttle off too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_FREE_TRIES } from '../../src/auth/sign-in-throttle.ts';
import { signUp } from '../helpers/test-galley.ts';
import { authSchema, startAuthGalley, type AuthTestGalley } from './harness.ts';

let t: AuthTestGalley;
let ipSeq = 0;
/** a fresh address per call: what an attacker with many addresses does */
const freshIp = () => `198.51.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

beforeAll(async () => {
  t = await startAuthGalley(authSchema());
  for (const email of ['owner@example.com', 'other@example.com', 'patient@example.com', 'free@example.com']) await signUp(t, 'users', { email });
}, 60_000);
afterAll(() => t?.close());

const signIn = (identity: string, password: string, ip = freshIp()) =>
  t.call('POST', '/api/collections/users/auth-with-password', { body: { identity, password }, ip });

/** The free tries and the slot-claiming one, all wrong: every answer 400 Failed to authenticate. */
async function useUpFreeTries(identity: string): Promise<Array<{ status: number; text: string }>> {
  const out = [];
  for (let i = 0; i <= SIGN_IN_FREE_TRIES; i++) {
    const res = await signIn(identity, 'wrong-password');
    out.push({ status: res.status, text: res.text });
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('per-account sign-in throttle', () => {
  it('answers 429 in PocketBase’s shape once the free tries are used, whatever the address', async () => {
    const owner = await signIn('owner@example.com', 'password123', '203.0.113.10');
    expect(owner.status).toBe(200);
    const tries = await useUpFreeTries('owner@example.com');
    expect(tries.map((r) => r.status)).toEqual(Array(SIGN_IN_FREE_TRIES + 1).fill(400));
    const limited = await signIn('owner@example.com', 'wrong-password');
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ data: {}, message: 'Too Many Requests.', status: 429 });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // the right password from an address the owner never used waits too (it could be a lucky guess)
    expect((await signIn('owner@example.com', 'password123')).status).toBe(429);
    // another account is not affected
    expect((await signIn('other@example.com', 'password123')).status).toBe(200);
  });

  it('lets the owner in from an address they signed in from before, and that success starts the count over', async () => {
    const res = await signIn('owner@example.com', 'password123', '203.0.113.10');
    expect(res.status, res.text).toBe(200);
    expect(res.json.record.email).toBe('owner@example.com');
    expect((await signIn('owner@example.com', 'wrong-password')).status).toBe(400);
  });

  it('admits the next attempt once its wait has passed (the right password from a new address then works)', async () => {
    await useUpFreeTries('patient@example.com');
    const limited = await signIn('patient@example.com', 'password123');
    expect(limited.status).toBe(429);
    await sleep(Number(limited.headers.get('retry-after')) * 1000 + 100);
    const later = await signIn('patient@example.com', 'password123');
    expect(later.status, later.text).toBe(200);
  });

  it('throttles an unknown email exactly as a real one (no enumeration)', async () => {
    const known = [...(await useUpFreeTries('free@example.com')), await signIn('free@example.com', 'wrong-password')];
    const unknown = [...(await useUpFreeTries('nobody@example.com')), await signIn('nobody@example.com', 'wrong-password')];
    const view = (r: { status: number; text: string; headers?: Headers }) => `${r.status} ${r.text} ${r.headers?.get('retry-after') ?? ''}`;
    expect(unknown.map(view)).toEqual(known.map(view));
    expect(unknown.at(-1)!.status).toBe(429);
    // identity case does not matter for the count, for an unknown email either
    expect((await signIn('NOBODY@example.com', 'wrong-password')).status).toBe(429);
  });

  it('is off while rate limits are off (as the per-IP limit is)', async () => {
    const off = await startAuthGalley(authSchema(), { settings: { rateLimits: { enabled: false } } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < SIGN_IN_FREE_TRIES + 3; i++) {
        statuses.push((await off.call('POST', '/api/collections/users/auth-with-password', { body: { identity: 'x@example.com', password: 'wrong-password' }, ip: freshIp() })).status);
      }
      expect(statuses).toEqual(Array(SIGN_IN_FREE_TRIES + 3).fill(400));
    } finally {
      await off.close();
    }
  });
});
