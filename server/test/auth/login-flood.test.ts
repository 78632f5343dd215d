// A flood of 120 password logins at once over a real socket (rate limits off, as for a flood from many
// addresses): password checks wait in line behind the hashing semaphore, every other request made meanwhile
// is answered 200, and the process stays under 1 GB. Only facts, no timings (the figures, with 500 logins, come
// from scripts/bench/login-flood.ts). 120 is enough for each fact: 30 times the semaphore's widest (4), and 120
// argon2 checks at 19 MiB each, all at once, would pass 1 GB (2.3 GB); 500 made this file CI's slowest, run in
// each of the three stages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_HASH_CONCURRENCY, readPasswordHashLoad } from '../../src/lib/password-hash.ts';
import { startAuthGalley, type AuthTestGalley } from './harness.ts';

const LOGINS = 120;
const ONE_GB = 1024 * 1024 * 1024;

let t: AuthTestGalley;
let base = '';

beforeAll(async () => {
  t = await startAuthGalley([{ name: 'users', type: 'auth', listRule: '', viewRule: '', createRule: '', fields: [] }], {
    settings: { rateLimits: { enabled: false } },
  });
  base = (await t.galley.listen('127.0.0.1:0')).url.replace(/\/+$/, '');
  const created = await t.call('POST', '/api/collections/users/records', { body: { email: 'flood@example.com', password: 'password123', passwordConfirm: 'password123' } });
  expect(created.status, created.text).toBe(200);
}, 60_000);

afterAll(() => t?.close());

describe('login flood', () => {
  it(`${LOGINS} logins at once: all answered, other routes answer 200 meanwhile, hashing queued, RSS < 1 GB`, async () => {
    let pending = LOGINS;
    const statuses = new Map<number, number>();
    const flood = Array.from({ length: LOGINS }, (_, i) =>
      fetch(`${base}/api/collections/users/auth-with-password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identity: 'flood@example.com', password: i % 2 === 0 ? 'password123' : 'wrong-password' }),
      })
        .then(async (res) => {
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        })
        .finally(() => pending--),
    );

    let peakRss = process.memoryUsage().rss;
    let peakWaiting = 0;
    let peakActive = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const load = readPasswordHashLoad();
      peakWaiting = Math.max(peakWaiting, load.waiting);
      peakActive = Math.max(peakActive, load.active);
    }, 20);

    // The other routes go straight to the app (no client connection pool to queue them behind the flood).
    const others: number[] = [];
    let answeredDuringFlood = 0;
    try {
      for (let i = 0; pending > 0; i++) {
        const res = await t.call('GET', i % 2 === 0 ? '/api/health' : '/api/collections/users/records?perPage=1');
        others.push(res.status);
        if (pending > 0) answeredDuringFlood++;
        await new Promise((r) => setTimeout(r, 5));
      }
      await Promise.all(flood);
    } finally {
      clearInterval(sampler);
    }

    expect(Object.fromEntries(statuses)).toEqual({ 200: LOGINS / 2, 400: LOGINS / 2 });
    expect(answeredDuringFlood).toBeGreaterThan(0);
    expect(others.filter((s) => s !== 200)).toEqual([]);
    expect(peakWaiting).toBeGreaterThan(0);
    expect(peakActive).toBeLessThanOrEqual(PASSWORD_HASH_CONCURRENCY);
    expect(peakRss).toBeLessThan(ONE_GB);
  }, 300_000);
});
