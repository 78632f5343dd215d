// Issue 18 item 3 (b), under Bun where the reader worker runs: a costly but allowed list runs off the event
// loop, so /api/health answers while it is still running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOUR_HOP_FILTER, friendsUsers } from './helpers/friends-collection.ts';
import { signUp, startTestGalley, type TestGalley } from './helpers/test-galley.ts';

let t: TestGalley;
let token = '';

beforeAll(async () => {
  t = await startTestGalley({ collections: [friendsUsers()] });
  const users: { id: string; token: string }[] = [];
  // thirty users, each friends with the first ten: about a second of SQLite per statement of the list
  for (let i = 0; i < 30; i++) users.push(await signUp(t, 'users', { email: `u${i}@example.com`, name: `u${i}` }));
  for (const u of users) {
    const res = await t.call('PATCH', `/api/collections/users/records/${u.id}`, { auth: u.token, body: { friends: users.slice(0, 10).map((x) => x.id) } });
    expect(res.status, res.text).toBe(200);
  }
  token = users[0]!.token;
}, 60_000);
afterAll(() => t?.close());

describe('a costly list does not hold up other requests', () => {
  it('health answers while the four-hop list is still running', async () => {
    const path = `/api/collections/users/records?${new URLSearchParams({ filter: FOUR_HOP_FILTER })}`;
    await t.call('GET', `${path}&perPage=1&skipTotal=1`, { auth: token }); // starts the reader worker
    let listDone = false;
    const started = performance.now();
    const listing = t.call('GET', path, { auth: token }).finally(() => (listDone = true));
    // were the list's statements running on this thread, this timer could fire only after they ended
    await new Promise((r) => setTimeout(r, 100));
    const pendingWhenSent = !listDone;
    const health = await t.call('GET', '/api/health');
    const healthMs = performance.now() - started;
    const pendingWhenAnswered = !listDone;
    const list = await listing;
    const listMs = performance.now() - started;
    console.log(`health answered after ${healthMs.toFixed(1)} ms; the costly list after ${listMs.toFixed(0)} ms`);
    expect({ pendingWhenSent, pendingWhenAnswered }).toEqual({ pendingWhenSent: true, pendingWhenAnswered: true });
    expect(health.status).toBe(200);
    expect(list.status, list.text).toBe(200);
    expect(list.json.totalItems).toBe(0);
  });
});
