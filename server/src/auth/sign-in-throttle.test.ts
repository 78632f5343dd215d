// The per-account sign-in throttle on its own, with the clock handed in: free tries, doubling waits up to the
// cap, the window, trusted IPs, and one count per identity however it is cased.
import { describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { createSignInThrottle, SIGN_IN_FREE_TRIES, SIGN_IN_MAX_DELAY_MS, SIGN_IN_WINDOW_MS } from './sign-in-throttle.ts';

/** The seconds to wait (429's Retry-After), or 0 when the attempt is admitted. */
function attempt(throttle: ReturnType<typeof createSignInThrottle>, ip: string, now: number, identity = 'a@example.com'): number {
  try {
    throttle.admitSignIn('users', identity, ip, now);
    return 0;
  } catch (err) {
    expect(err).toBeInstanceOf(GalleyError);
    expect((err as GalleyError).kind).toBe('rate_limited');
    expect((err as GalleyError).message).toBe('Too Many Requests.');
    return (err as GalleyError).retryAfter!;
  }
}

describe('sign-in throttle', () => {
  it('admits the free tries, then one attempt per slot with waits of 1, 2, 4 … s, capped', () => {
    const th = createSignInThrottle();
    let now = 1_000_000;
    for (let i = 0; i < SIGN_IN_FREE_TRIES; i++) expect(attempt(th, `10.0.0.${i}`, now)).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      expect(attempt(th, '10.1.0.1', now)).toBe(0); // claims the slot
      const wait = attempt(th, '10.1.0.2', now); // the next must wait
      waits.push(wait);
      now += wait * 1000;
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
    expect(SIGN_IN_MAX_DELAY_MS).toBe(300_000);
  });

  it('counts one identity however it is cased or padded, and accounts apart', () => {
    const th = createSignInThrottle();
    for (const id of ['A@example.com', 'a@EXAMPLE.com', ' a@example.com', 'a@example.com ', 'a@example.com', 'a@example.com']) attempt(th, '10.0.0.1', 0, id);
    expect(attempt(th, '10.0.0.2', 0)).toBe(1);
    expect(attempt(th, '10.0.0.2', 0, 'b@example.com')).toBe(0);
  });

  it('forgets the count after a quiet window', () => {
    const th = createSignInThrottle();
    for (let i = 0; i <= SIGN_IN_FREE_TRIES; i++) attempt(th, '10.0.0.1', 0);
    expect(attempt(th, '10.0.0.1', 0)).toBe(1);
    for (let i = 0; i < SIGN_IN_FREE_TRIES; i++) expect(attempt(th, '10.0.0.1', SIGN_IN_WINDOW_MS)).toBe(0);
  });

  it('never holds back an IP the account signed in from; a success starts the count over', () => {
    const th = createSignInThrottle();
    attempt(th, 'owner', 0);
    th.noteSignInSuccess('users', 'a@example.com', 'owner');
    for (let i = 0; i <= SIGN_IN_FREE_TRIES; i++) attempt(th, 'attacker', 0);
    expect(attempt(th, 'attacker', 0)).toBeGreaterThan(0);
    expect(attempt(th, 'elsewhere', 0)).toBeGreaterThan(0);
    expect(attempt(th, 'owner', 0)).toBe(0);
    th.noteSignInSuccess('users', 'a@example.com', 'owner');
    expect(attempt(th, 'attacker', 0)).toBe(0);
  });

  it('keeps two throttles apart (one per app)', () => {
    const one = createSignInThrottle();
    const two = createSignInThrottle();
    for (let i = 0; i <= SIGN_IN_FREE_TRIES; i++) attempt(one, '10.0.0.1', 0);
    expect(attempt(one, '10.0.0.1', 0)).toBe(1);
    expect(attempt(two, '10.0.0.1', 0)).toBe(0);
  });
});
