// No user enumeration: login, password-reset request, verification request, email-change request and OTP request
// answer the same status and body, in the same time, whether the email belongs to an account or not. 200 tries of
// each kind, interleaved after a warm-up; the medians must be within 5 ms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../helpers/test-galley.ts';
import { authSchema, startAuthGalley, type AuthTestGalley } from './harness.ts';
import { smtpSettings, startTestSmtp, type TestSmtp } from './smtp.ts';

const TRIES = 200;
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

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Probe {
  name: string;
  path: string;
  body: (email: string) => Record<string, unknown>;
  existing: string;
  unknown: (i: number) => string;
  auth?: () => string;
  /** the part of the answer that must not differ (request-otp's otpId is random either way) */
  shape?: (text: string) => string;
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
  },
  { name: 'request-email-change', path: 'request-email-change', body: (email) => ({ newEmail: email }), existing: 'known@example.com', unknown: (i) => `free${i}@example.com`, auth: () => changer },
];

async function timeOne(probe: Probe, email: string): Promise<{ ms: number; status: number; text: string }> {
  const started = performance.now();
  const res = await t.call('POST', `/api/collections/users/${probe.path}`, { body: probe.body(email), auth: probe.auth?.() ?? null });
  return { ms: performance.now() - started, status: res.status, text: res.text };
}

describe('no user enumeration by answer or by timing', () => {
  it.each(probes)('$name: same answer, medians of 200 tries within 5 ms', async (probe) => {
    for (let i = 0; i < WARM_UP; i++) {
      await timeOne(probe, probe.existing);
      await timeOne(probe, probe.unknown(-i - 1));
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
      }
    }
    expect([...answers]).toHaveLength(1);
    const gap = Math.abs(median(known) - median(unknown));
    console.info(`${probe.name}: median existing ${median(known).toFixed(2)} ms, unknown ${median(unknown).toFixed(2)} ms, gap ${gap.toFixed(2)} ms`);
    expect(gap).toBeLessThan(MAX_MEDIAN_GAP_MS);
  }, 180_000);
});
