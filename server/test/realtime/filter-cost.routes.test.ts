// Issue 18 item 3 for realtime: a subscription's filter over the cost budget never matches (as any filter error),
// instead of running its six-hop join on the event loop for every event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { friendsUsers } from '../helpers/friends-collection.ts';
import { signUp, startTestGalley, type TestGalley } from '../helpers/test-galley.ts';
import { withOptions } from './fixture.ts';
import { connectRaw } from './sse-client.ts';

/** Six hops that do match (any-of stops at the first): allowed, it would deliver the event. */
const SIX_HOPS_MATCHING = "friends.friends.friends.friends.friends.friends.name ?= 'u2'";

let t: TestGalley;
const users: { id: string; token: string }[] = [];

beforeAll(async () => {
  t = await startTestGalley({ collections: [friendsUsers()] });
  for (let i = 0; i < 10; i++) users.push(await signUp(t, 'users', { email: `u${i}@example.com`, name: `u${i}` }));
  for (const u of users) {
    const res = await t.call('PATCH', `/api/collections/users/records/${u.id}`, { auth: u.token, body: { friends: users.map((x) => x.id) } });
    expect(res.status, res.text).toBe(200);
  }
}, 60_000);
afterAll(() => t?.close());

describe('realtime subscription filters have the same budget', () => {
  it('a six-hop filter gets no event; a cheap one on the same records does', async () => {
    const costly = await connectRaw(t.galley);
    const cheap = await connectRaw(t.galley);
    try {
      expect((await costly.subscribe([withOptions('users/*', { query: { filter: SIX_HOPS_MATCHING } })], { auth: users[0]!.token })).status).toBe(204);
      expect((await cheap.subscribe([withOptions('users/*', { query: { filter: "friends.name ?= 'u2'" } })], { auth: users[0]!.token })).status).toBe(204);
      const res = await t.call('PATCH', `/api/collections/users/records/${users[1]!.id}`, { auth: users[1]!.token, body: { name: 'u1 renamed' } });
      expect(res.status, res.text).toBe(200);
      await Promise.all([costly.sync(), cheap.sync()]);
      expect(cheap.events().map((e) => `${e.data.action} ${e.data.record.id}`)).toEqual([`update ${users[1]!.id}`]);
      expect(costly.events()).toEqual([]);
    } finally {
      await Promise.all([costly.close(), cheap.close()]);
    }
  });
});
