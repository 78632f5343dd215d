// No user enumeration: login, password-reset request, verification request, email-change request and OTP request
// answer the same status and body, in the same time, whether the email belongs to an account or not. 100 tries of
// each kind, interleaved after a warm-up; the medians must be within 5 ms, or within 3 standard errors of their
// difference when the samples spread wider than that allows. (200 tries made this file one of CI's slowest, run in
// each of its three stages, the login's and request-otp's each an argon2 hash; at 100 the standard error is √2
// wider, still a small part of the gap it guards against, a whole hash: 27 ms unloaded, more under load.)
//
// Why both, under two vitest workers on two loaded cores: medians of interleaved pairs in alternating order put
// load from other files on both sides alike, and for the cheap flows the gap stays far under 5 ms (0.00-1.3 ms
// with the box at load 12-16). A login hashes (argon2) on both sides, and under such load it took 180-200 ms
// instead of 27 with a spread to match, so a fixed 5 ms failed on noise (a gap of 18 ms). The leak this guards
// against is a hash done on one side only: a gap of a whole hash, which grows with the load exactly as the noise
// does, so the statistical bound still catches it; unloaded, the 5 ms floor is the bound.
// What flaked besides was this file's own leftovers: request-otp answers before it hashes
// (argon2) a code or a decoy for each of its ~240 requests, and that backlog ran on into the next probe, where the
// in-process client shares the event loop with it and the side that queues work after its answer (a mail to the
// free address) came out 10-20 ms slower. So a probe waits for the work its answers left behind (`settle`) before
// the next one starts. Running the file alone (a vitest sequence setting) would add its ~30 s to CI's serial time
// and do nothing about load from outside vitest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDecoyOtpStored } from '../../src/auth/otp-decoys.ts';
import { signUp } from '../helpers/test-galley.ts';
import { authSchema, startAuthGalley, type AuthTestGalley } from './harness.ts';
import { smtpSettings, startTestSmtp, type TestSmtp } from './smtp.ts';

const TRIES = 100;
const WARM_UP = 20;
const MAX_MEDIAN_GAP_MS = 5;

let t: AuthTestGalley;
let smtp: TestSmtp;
let changer = '';

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startAuthGalley(authSchema({ otp: { enabled: true } }), { settings: smtpSettings(smtp) });
  await signUp(t, 'users', { email: 'known@example.com' });
  changer = (await signUp(t, 'users', { email: 'changer@example.com' })).token;
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  return s[Math.floor(at)]! + (s[Math.ceil(at)]! - s[Math.floor(at)]!) * (at - Math.floor(at));
};
const median = (xs: number[]) => quantile(xs, 0.5);

/**
 * The standard error of a sample's median: 1.2533·σ/√n, σ estimated robustly as IQR/1.349 (a few stalls of
 * seconds on a loaded box must not widen it as they would a standard deviation).
 */
const medianStandardError = (xs: number[]) => (1.2533 * ((quantile(xs, 0.75) - quantile(xs, 0.25)) / 1.349)) / Math.sqrt(xs.length);

interface Probe {
  name: string;
  path: string;
  body: (email: string) => Record<string, unknown>;
  existing: string;
  unknown: (i: number) => string;
  auth?: () => string;
  /** the part of the answer that must not differ (request-otp's otpId is random either way) */
  shape?: (text: string) => string;
  /** waits until the work queued after these answers is done (so it cannot fall on the next probe) */
  settle?: (texts: string[]) => Promise<void>;
}

/** Until every otpId answered is stored: a real code's row or a decoy's stand-in, each hashed after its answer. */
async function waitForOtpCodes(texts: string[]): Promise<void> {
  const waiting = new Set(texts.map((text) => JSON.parse(text).otpId as string));
  for (;;) {
    for (const id of waiting) if (isDecoyOtpStored(t.galley.core, id)) waiting.delete(id);
    for (const { id } of await t.galley.core.db.read.selectFrom('_otps').select('id').execute()) waiting.delete(String(id));
    if (waiting.size === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const probes: Probe[] = [
  { name: 'auth-with-password', path: 'auth-with-password', body: (email) => ({ identity: email, password: 'not-the-password' }), existing: 'known@example.com', unknown: (i) => `ghost${i}@example.com` },
  { name: 'request-password-reset', path: 'request-password-reset', body: (email) => ({ email }), existing: 'known@example.com', unknown: (i) => `ghost${i}@example.com` },
  { name: 'request-verification', path: 'request-verification', body: (email) => ({ email }), existing: 'known@example.com', unknown: (i) => `ghost${i}@example.com` },
  {
    name: 'request-otp',
    path: 'request-otp',
    body: (email) => ({ email }),
    existing: 'known@example.com',
    unknown: (i) => `ghost${i}@example.com`,
    shape: (text) => text.replace(/^\{"otpId":"[a-z0-9]{15}"\}$/, '{"otpId":"<15 of [a-z0-9]>"}'),
    settle: waitForOtpCodes,
  },
  { name: 'request-email-change', path: 'request-email-change', body: (email) => ({ newEmail: email }), existing: 'known@example.com', unknown: (i) => `free${i}@example.com`, auth: () => changer },
];

async function timeOne(probe: Probe, email: string): Promise<{ ms: number; status: number; text: string }> {
  const started = performance.now();
  const res = await t.call('POST', `/api/collections/users/${probe.path}`, { body: probe.body(email), auth: probe.auth?.() ?? null });
  return { ms: performance.now() - started, status: res.status, text: res.text };
}

describe('no user enumeration by answer or by timing', () => {
  it.each(probes)(`$name: same answer, medians of ${TRIES} tries within 5 ms (or 3 standard errors)`, async (probe) => {
    const texts: string[] = [];
    for (let i = 0; i < WARM_UP; i++) {
      texts.push((await timeOne(probe, probe.existing)).text);
      texts.push((await timeOne(probe, probe.unknown(-i - 1))).text);
    }
    const known: number[] = [];
    const unknown: number[] = [];
    const answers = new Set<string>();
    for (let i = 0; i < TRIES; i++) {
      // Interleaved, in alternating order, so drift and background work fall on both sides alike.
      const pair = i % 2 === 0 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const);
      for (const side of pair) {
        const r = await timeOne(probe, side === 'known' ? probe.existing : probe.unknown(i));
        (side === 'known' ? known : unknown).push(r.ms);
        answers.add(`${r.status} ${probe.shape ? probe.shape(r.text) : r.text}`);
        texts.push(r.text);
      }
    }
    expect([...answers]).toHaveLength(1);
    const gap = Math.abs(median(known) - median(unknown));
    const noise = 3 * Math.hypot(medianStandardError(known), medianStandardError(unknown));
    const limit = Math.max(MAX_MEDIAN_GAP_MS, noise);
    console.info(`${probe.name}: median existing ${median(known).toFixed(2)} ms, unknown ${median(unknown).toFixed(2)} ms, gap ${gap.toFixed(2)} ms, 3 SE ${noise.toFixed(2)} ms`);
    await probe.settle?.(texts);
    expect(gap).toBeLessThan(limit);
  }, 180_000);
});
