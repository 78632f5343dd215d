// Subscriber grouping (dispatch.ts): subscribers share one rule check when the rule reads nothing from the
// request, and one frame only when their topic, check and payload keys are equal. Subscribers with different
// auth on one topic must each get the record as the records API shows it to them, never a neighbour's view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRaw, type RawClient } from './sse-client.ts';
import { realtimeSchema, startRealtimeWorld, withOptions, type RealtimeWorld } from './fixture.ts';

let w: RealtimeWorld;
const open: RawClient[] = [];

beforeAll(async () => {
  // posts: a rule with no @request (one check for every subscriber); users: list for all, view only oneself,
  // so an expanded author and an auth record's email depend on who is asking
  const schema = realtimeSchema({ listRule: "status = 'published'", viewRule: "status = 'published'" }) as { collections: Array<Record<string, unknown>> };
  const users = schema.collections.find((c) => c['name'] === 'users')!;
  users['listRule'] = '';
  users['viewRule'] = 'id = @request.auth.id';
  w = await startRealtimeWorld(schema);
});
afterAll(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await w?.t.close();
});

async function subscriber(topics: string[], auth: string | null): Promise<RawClient> {
  const c = await connectRaw(w.t.galley);
  open.push(c);
  expect((await c.subscribe(topics, { auth })).status).toBe(204);
  return c;
}

/** The record as the records API answers `auth` for it (GET with the same query as the topic's options). */
async function asApiShows(path: string, auth: string | null): Promise<unknown> {
  const res = await w.t.call('GET', path, { auth });
  expect(res.status).toBe(200);
  return res.json.items ? res.json.items[0] : res.json;
}

describe('subscribers grouped per event', () => {
  it('one topic, one rule check, different auth: each gets its own view of an expanded relation', async () => {
    const topic = withOptions('posts/*', { query: { expand: 'author' } });
    const people = { guest: null, alice: w.alice.token, bob: w.bob.token, root: w.root };
    // two streams of alice: the same auth, so one group; the rest each their own payload
    const clients = {
      guest: await subscriber([topic], people.guest),
      alice: await subscriber([topic], people.alice),
      alice2: await subscriber([topic], people.alice),
      bob: await subscriber([topic], people.bob),
      root: await subscriber([topic], people.root),
    };
    const post = await w.create('posts', { title: 'shared', status: 'published', author: w.alice.id, note: 'hidden' });
    for (const [name, c] of Object.entries(clients)) {
      await c.sync();
      const got = c.events().map((e) => e.data.record);
      const auth = people[name === 'alice2' ? 'alice' : (name as keyof typeof people)];
      expect(got, name).toEqual([await asApiShows(`/api/collections/posts/records/${post.id}?expand=author`, auth)]);
    }
    // the views differ, so a shared payload would have shown: alice sees herself expanded, bob and the guest do not
    expect(clients.alice.events()[0]!.data.record.expand?.author?.id).toBe(w.alice.id);
    expect(clients.bob.events()[0]!.data.record.expand?.author).toBeUndefined();
    expect(clients.guest.events()[0]!.data.record.expand?.author).toBeUndefined();
  });

  it('an auth record under a rule for everyone: only its owner (and a superuser) gets its email', async () => {
    const people = { guest: null, alice: w.alice.token, bob: w.bob.token, root: w.root };
    const clients = {
      guest: await subscriber(['users/*'], people.guest),
      alice: await subscriber(['users/*'], people.alice),
      bob: await subscriber(['users/*'], people.bob),
      root: await subscriber(['users/*'], people.root),
    };
    await w.update('users', w.alice.id, { name: 'Alice 2' });
    for (const [name, c] of Object.entries(clients)) {
      await c.sync();
      const got = c.events().map((e) => e.data.record);
      const auth = people[name as keyof typeof people];
      expect(got, name).toEqual([await asApiShows(`/api/collections/users/records?filter=${encodeURIComponent(`id = '${w.alice.id}'`)}`, auth)]);
    }
    expect(clients.alice.events()[0]!.data.record.email).toBe('alice@example.com');
    expect(clients.bob.events()[0]!.data.record.email).toBeUndefined();
    expect(clients.guest.events()[0]!.data.record.email).toBeUndefined();
    expect(clients.root.events()[0]!.data.record.email).toBe('alice@example.com');
  });

  it('a rule that reads the auth on one topic string: each subscriber is judged with its own auth', async () => {
    // users' viewRule is `id = @request.auth.id`: a record topic of alice's record is hers alone
    const topic = `users/${w.alice.id}`;
    const alice = await subscriber([topic], w.alice.token);
    const alice2 = await subscriber([topic], w.alice.token);
    const bob = await subscriber([topic], w.bob.token);
    const guest = await subscriber([topic], null);
    await w.update('users', w.alice.id, { name: 'Alice 3' });
    await w.update('users', w.bob.id, { name: 'Bob 3' });
    for (const c of [alice, alice2, bob, guest]) await c.sync();
    expect(alice.events().map((e) => e.data.record.name)).toEqual(['Alice 3']);
    expect(alice2.events().map((e) => e.data.record.name)).toEqual(['Alice 3']);
    expect(bob.events()).toEqual([]);
    expect(guest.events()).toEqual([]);
  });
});
