// Realtime events: who receives what (list/view rules at event time, options, serialisation), per action.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRaw, type RawClient } from './sse-client.ts';
import { startRealtimeWorld, withOptions, type RealtimeWorld } from './fixture.ts';

let w: RealtimeWorld;
const open: RawClient[] = [];

beforeAll(async () => {
  w = await startRealtimeWorld();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await w?.t.close();
});

async function subscriber(topics: string[], auth: string | null = null): Promise<RawClient> {
  const c = await connectRaw(w.t.galley);
  open.push(c);
  const res = await c.subscribe(topics, { auth });
  expect(res.status).toBe(204);
  return c;
}

/** [topic, action, record id] of every event a client got, after everything sent so far arrived. */
async function seen(c: RawClient): Promise<string[]> {
  await c.sync();
  return c.events().map((e) => `${e.topic} ${e.data.action} ${e.data.record.id}`);
}

describe('list topics (collection/*) follow the listRule', () => {
  it('a guest sees published posts only; the author also her drafts; another user neither draft', async () => {
    const guest = await subscriber(['posts/*']);
    const alice = await subscriber(['posts/*'], w.alice.token);
    const bob = await subscriber(['posts/*'], w.bob.token);
    const pub = await w.create('posts', { title: 'pub', status: 'published', author: w.alice.id });
    const draft = await w.create('posts', { title: 'draft', status: 'draft', author: w.alice.id });
    expect(await seen(guest)).toEqual([`posts/* create ${pub.id}`]);
    expect(await seen(alice)).toEqual([`posts/* create ${pub.id}`, `posts/* create ${draft.id}`]);
    expect(await seen(bob)).toEqual([`posts/* create ${pub.id}`]);
  });

  it('judges updates and deletes by the record as it was written (the old values for a delete)', async () => {
    const p = await w.create('posts', { title: 'p', status: 'published', author: w.alice.id });
    const guest = await subscriber(['posts/*']);
    const alice = await subscriber(['posts/*'], w.alice.token);
    await w.update('posts', p.id, { status: 'draft' }); // hidden from the guest from now on
    await w.update('posts', p.id, { title: 'p2' });
    await w.remove('posts', p.id);
    const q = await w.create('posts', { title: 'q', status: 'published', author: w.bob.id });
    await w.remove('posts', q.id);
    expect(await seen(guest)).toEqual([`posts/* create ${q.id}`, `posts/* delete ${q.id}`]);
    expect(await seen(alice)).toEqual([
      `posts/* update ${p.id}`,
      `posts/* update ${p.id}`,
      `posts/* delete ${p.id}`,
      `posts/* create ${q.id}`,
      `posts/* delete ${q.id}`,
    ]);
    const deleted = alice.events().find((e) => e.data.action === 'delete')!;
    expect(deleted.data.record).toMatchObject({ id: p.id, title: 'p2', status: 'draft', collectionName: 'posts' });
  });

  it('the bare collection name and the collection id are the same topic as name/*', async () => {
    const byName = await subscriber(['posts']);
    const byId = await subscriber(['pbc_posts00001/*', 'pbc_posts00001']);
    const p = await w.create('posts', { title: 'x', status: 'published', author: w.alice.id });
    expect(await seen(byName)).toEqual([`posts create ${p.id}`]);
    expect(await seen(byId)).toEqual([`pbc_posts00001/* create ${p.id}`, `pbc_posts00001 create ${p.id}`]);
  });

  it('a rule through a relation is judged in SQL at event time (comments of published posts)', async () => {
    const p = await w.create('posts', { title: 'x', status: 'draft', author: w.alice.id });
    const guest = await subscriber(['comments/*']);
    const c1 = await w.create('comments', { post: p.id, body: 'hidden' });
    await w.update('posts', p.id, { status: 'published' });
    const c2 = await w.create('comments', { post: p.id, body: 'shown' });
    expect(await seen(guest)).toEqual([`comments/* create ${c2.id}`]);
    expect(c1.id).not.toBe(c2.id);
  });

  it('a null listRule reaches superusers only', async () => {
    // users' listRule is "id = @request.auth.id": a user sees only herself; superusers see everyone
    const root = await subscriber(['users/*'], w.root);
    const alice = await subscriber(['users/*'], w.alice.token);
    const guest = await subscriber(['users/*']);
    await w.update('users', w.bob.id, { name: 'Bobby' });
    await w.update('users', w.alice.id, { name: 'Alicia' });
    expect(await seen(root)).toEqual([`users/* update ${w.bob.id}`, `users/* update ${w.alice.id}`]);
    expect(await seen(alice)).toEqual([`users/* update ${w.alice.id}`]);
    expect(await seen(guest)).toEqual([]);
  });
});

describe('record topics (collection/id) follow the viewRule', () => {
  it('only that record, only when it may be viewed', async () => {
    const p = await w.create('posts', { title: 'p', status: 'draft', author: w.alice.id });
    const other = await w.create('posts', { title: 'o', status: 'published', author: w.alice.id });
    const guest = await subscriber([`posts/${p.id}`]);
    const alice = await subscriber([`posts/${p.id}`], w.alice.token);
    await w.update('posts', other.id, { title: 'o2' });
    await w.update('posts', p.id, { title: 'p2' });
    await w.update('posts', p.id, { status: 'published' });
    expect(await seen(guest)).toEqual([`posts/${p.id} update ${p.id}`]);
    expect(await seen(alice)).toEqual([`posts/${p.id} update ${p.id}`, `posts/${p.id} update ${p.id}`]);
  });
});

describe('serialisation', () => {
  it('hides hidden fields from everyone but superusers', async () => {
    const guest = await subscriber(['posts/*']);
    const root = await subscriber(['posts/*'], w.root);
    await w.create('posts', { title: 'h', status: 'published', author: w.alice.id, note: 'secret note' });
    await guest.sync();
    await root.sync();
    expect(guest.events()[0]!.data.record).not.toHaveProperty('note');
    expect(root.events()[0]!.data.record.note).toBe('secret note');
  });

  it('shows an auth record email to itself and superusers only, never password or tokenKey', async () => {
    const self = await subscriber([`users/${w.alice.id}`], w.alice.token);
    const other = await subscriber([`users/${w.alice.id}`], w.bob.token);
    const root = await subscriber([`users/${w.alice.id}`], w.root);
    await w.update('users', w.alice.id, { name: 'A.', secret: 's-alice' });
    for (const c of [self, other, root]) await c.sync();
    expect(self.events()[0]!.data.record.email).toBe('alice@example.com');
    expect(root.events()[0]!.data.record.email).toBe('alice@example.com');
    expect(root.events()[0]!.data.record.secret).toBe('s-alice');
    const seenByBob = other.events()[0]!.data.record;
    expect(seenByBob).not.toHaveProperty('email');
    expect(seenByBob).not.toHaveProperty('secret');
    for (const c of [self, other, root]) {
      const raw = c.frames.map((f) => f.raw).join('\n');
      expect(raw).not.toContain('tokenKey');
      expect(raw).not.toContain('password');
    }
  });

  it('names each message by the exact topic subscribed, options included, and obeys expand and fields', async () => {
    const expandTopic = withOptions('posts/*', { query: { expand: 'author' } });
    const fieldsTopic = withOptions('posts/*', { query: { fields: 'id,title' } });
    const c = await subscriber([expandTopic, fieldsTopic, 'posts/*']);
    const p = await w.create('posts', { title: 'opt', status: 'published', author: w.alice.id });
    await c.sync();
    const byTopic = Object.fromEntries(c.events().map((e) => [e.topic, e.data]));
    expect(Object.keys(byTopic).sort()).toEqual([expandTopic, fieldsTopic, 'posts/*'].sort());
    expect(byTopic[fieldsTopic]).toEqual({ action: 'create', record: { id: p.id, title: 'opt' } });
    expect(byTopic[expandTopic].record.expand.author).toMatchObject({ id: w.alice.id, collectionName: 'users' });
    expect(byTopic[expandTopic].record.expand.author).not.toHaveProperty('email');
    expect(byTopic['posts/*'].record).not.toHaveProperty('expand');
  });

  it('applies a filter option on top of the rule, with the option headers visible to rules', async () => {
    const onlyX = await subscriber([withOptions('posts/*', { query: { filter: "title ~ 'x'" } })]);
    const refused = await subscriber([withOptions('posts/*', { query: { filter: '@request.auth.id != ""' } })]);
    await w.create('posts', { title: 'xa', status: 'published', author: w.alice.id });
    await w.create('posts', { title: 'yb', status: 'published', author: w.alice.id });
    expect((await seen(onlyX)).length).toBe(1);
    expect(onlyX.events()[0]!.data.record.title).toBe('xa');
    // wire: a guest's filter may not read @request: the subscription never matches
    expect(await seen(refused)).toEqual([]);
  });
});
