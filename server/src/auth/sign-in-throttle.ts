/**
 * A throttle on password guessing per account, beside the per-IP rate limit (which a new address escapes).
 * Keyed by (collection, identity as typed, trimmed and lower-cased), whether or not an account has it, so an
 * unknown email is throttled exactly as a real one (no enumeration). Every attempt counts as a failure until
 * it succeeds (so a burst of parallel guesses cannot slip past the count); after FREE_TRIES within the window,
 * each further attempt claims the account's next slot and waits 1 s, 2 s, 4 s, … up to MAX_DELAY_MS first
 * (429 until then, no password checked). A success resets the count and trusts that IP for the account: an
 * owner signing in from where they signed in before is never made to wait, however hard others guess.
 * In memory, bounded (LRU); off with the rate limits (`rateLimits.enabled`) and for requests without a known
 * client address, as the per-IP limit is.
 */
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { LruMap } from '../lib/lru.ts';

export const SIGN_IN_FREE_TRIES = 5;
export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const SIGN_IN_MAX_DELAY_MS = 5 * 60_000;
/** how many accounts' counts are kept (the least recently tried go first) */
const MAX_ACCOUNTS = 50_000;
/** IPs remembered per account as its owner's */
const MAX_TRUSTED_IPS = 5;

interface AccountState {
  /** attempts since the last success, within the window */
  failures: number;
  lastAttemptAt: number;
  /** no untrusted attempt before this */
  nextAllowedAt: number;
  /** IPs this account signed in from, oldest first */
  trustedIps: string[];
}

export interface SignInThrottle {
  /** Count an attempt, or throw 429 (`Retry-After`) when this account must wait first. */
  admitSignIn(collectionId: string, identity: string, ip: string, now: number): void;
  /** The password was right: the count starts over and `ip` is trusted for this account. */
  noteSignInSuccess(collectionId: string, identity: string, ip: string): void;
  /** Forget accounts whose window has passed and that trust no IP (cron); returns how many went. */
  sweepSignInThrottle(now: number): number;
}

function keyOf(collectionId: string, identity: string): string {
  return `${collectionId}\u0000${identity.trim().toLowerCase()}`;
}

/** 1 s after the first attempt past the free ones, doubling, capped. */
function delayAfter(extraAttempts: number): number {
  return Math.min(SIGN_IN_MAX_DELAY_MS, 1000 * 2 ** Math.min(30, extraAttempts - 1));
}

export function createSignInThrottle(): SignInThrottle {
  const accounts = new LruMap<string, AccountState>(MAX_ACCOUNTS);
  return {
    admitSignIn(collectionId, identity, ip, now) {
      const key = keyOf(collectionId, identity);
      let state = accounts.get(key);
      if (!state) accounts.set(key, (state = { failures: 0, lastAttemptAt: now, nextAllowedAt: 0, trustedIps: [] }));
      if (now - state.lastAttemptAt >= SIGN_IN_WINDOW_MS) {
        state.failures = 0;
        state.nextAllowedAt = 0;
      }
      if (state.failures >= SIGN_IN_FREE_TRIES && !state.trustedIps.includes(ip)) {
        if (now < state.nextAllowedAt) {
          throw new GalleyError('rate_limited', 'Too Many Requests.', { retryAfter: Math.max(1, Math.ceil((state.nextAllowedAt - now) / 1000)) });
        }
        state.nextAllowedAt = now + delayAfter(state.failures - SIGN_IN_FREE_TRIES + 1);
      }
      state.failures++;
      state.lastAttemptAt = now;
    },
    noteSignInSuccess(collectionId, identity, ip) {
      const state = accounts.get(keyOf(collectionId, identity));
      if (!state) return;
      state.failures = 0;
      state.nextAllowedAt = 0;
      state.trustedIps = [...state.trustedIps.filter((t) => t !== ip), ip].slice(-MAX_TRUSTED_IPS);
    },
    sweepSignInThrottle(now) {
      // such an entry means no more than a fresh one would; trusted IPs are kept (the LRU bounds them)
      // (get() in key order moves every key to the end in that same order: the LRU order is unchanged)
      const done = [...accounts.keys()].filter((key) => {
        const s = accounts.get(key)!;
        return s.trustedIps.length === 0 && now - s.lastAttemptAt >= SIGN_IN_WINDOW_MS && now >= s.nextAllowedAt;
      });
      for (const key of done) accounts.delete(key);
      return done.length;
    },
  };
}

const isThrottled = (core: Core, ip: string) => ip !== '' && core.settings.current().rateLimits.enabled;

/** Before a password is checked: count the attempt or answer 429 (auth-with-password's hook). */
export function admitPasswordSignIn(core: Core, collectionId: string, identity: string, ip: string): void {
  if (isThrottled(core, ip)) core.signInThrottle.admitSignIn(collectionId, identity, ip, core.clock().getTime());
}

/** After a right password (whatever MFA asks next). */
export function notePasswordSignIn(core: Core, collectionId: string, identity: string, ip: string): void {
  if (isThrottled(core, ip)) core.signInThrottle.noteSignInSuccess(collectionId, identity, ip);
}
