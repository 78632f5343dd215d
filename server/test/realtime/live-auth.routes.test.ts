// A live stream's auth and rules are judged anew for every event; idle and lifetime limits end streams.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSchema } from '../../src/index.ts';
import { configureRealtime, realtimeStats, whenRealtimeIdle } from '../../src/realtime/broker.ts';
import { DEFAULT_REALTIME_LIMITS } from '../../src/realtime/model.ts';
import { connectRaw, type RawClient } from './sse-client.ts';
import { realtimeSchema, startRealtimeWorld, type RealtimeWorld } from './fixture.ts';

let w: RealtimeWorld;
const open: RawClient[] = [];
const users = '/api/collections/users';

beforeEach(async () => {
  w = await startRealtimeWorld();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await w?.t.close();
});
afterAll(() => undefined);

async function subscriber(topics: string[], auth: string | null = null): Promise<RawClient> {
  const c = await connectRaw(w.t.galley);
  open.push(c);
  expect((await c.subscribe(topics, { auth })).status).toBe(204);
  return c;
}

async function titles(c: RawClient): Promise<string[]> {
  await c.sync();
  return c.events().map((e) => `${e.data.action}:${e.data.record.title ?? e.data.record.id}`);
}

async function login(email: string, password = 'password123'): Promise<string> {
  const res = await w.t.call('POST', `${users}/auth-with-password`, { body: { identity: email, password } });
  expect(res.status).toBe(200);
  return res.json.token;
}

describe('auth changes on a live stream', () => {
  it('logout-all (a new tokenKey) turns the stream into a guest one; a fresh token may bind it again', async () => {
    const alice = await subscriber(['posts/*'], w.alice.token);
    await w.create('posts', { title: 'd1', status: 'draft', author: w.alice.id });
    expect((await w.t.call('POST', `${users}/auth-logout-all`, { auth: w.alice.token })).status).toBe(204);
    await w.create('posts', { title: 'd2', status: 'draft', author: w.alice.id });
    await w.create('posts', { title: 'p3', status: 'published', author: w.alice.id });
    expect(await titles(alice)).toEqual(['create:d1', 'create:p3']);
    // wire: the binding is gone, so a guest POST is no auth change, and a new token is a guest → auth upgrade
    expect((await alice.subscribe(['posts/*'], { auth: null })).status).toBe(204);
    expect((await alice.subscribe(['posts/*'], { auth: await login('alice@example.com') })).status).toBe(204);
    await w.create('posts', { title: 'd4', status: 'draft', author: w.alice.id });
    expect(await titles(alice)).toEqual(['create:d1', 'create:p3', 'create:d4']);
  });

  it('a password change ends the binding too', async () => {
    const alice = await subscriber(['posts/*'], w.alice.token);
    const res = await w.t.call('PATCH', `${users}/records/${w.alice.id}`, {
      body: { password: 'password456', passwordConfirm: 'password456', oldPassword: 'password123' },
      auth: w.alice.token,
    });
    expect(res.status).toBe(200);
    await w.create('posts', { title: 'd1', status: 'draft', author: w.alice.id });
    expect(await titles(alice)).toEqual([]);
  });

  it('an update that keeps the tokenKey refreshes the auth record the rules see; a rule change applies to the next event', async () => {
    const bob = await subscriber(['posts/*'], w.bob.token);
    await w.create('posts', { title: 'd1', status: 'draft', author: w.alice.id });
    const core = w.t.galley.core;
    const before = core.schema;
    // the schema is swapped here by hand, not through a reload: the events queued before it are delivered first
    // (a check judges under the schema of its turn; on PostgreSQL d3 could still wait behind d2's pool read)
    await whenRealtimeIdle(core);
    core.schema = loadSchema(realtimeSchema({ listRule: "status = 'published' || @request.auth.name = 'VIP'" }));
    // d2 is judged with bob as he was before the update, whenever its check runs (the name is not joined from the table)
    await w.create('posts', { title: 'd2', status: 'draft', author: w.alice.id });
    await w.update('users', w.bob.id, { name: 'VIP' });
    await w.create('posts', { title: 'd3', status: 'draft', author: w.alice.id });
    await whenRealtimeIdle(core);
    core.schema = before;
    await w.create('posts', { title: 'd4', status: 'draft', author: w.alice.id });
    expect(await titles(bob)).toEqual(['create:d3']);
  });

  it('an event whose check runs after a later update of the auth record is judged with the record as of its commit', async () => {
    const core = w.t.galley.core;
    core.schema = loadSchema(realtimeSchema({ listRule: "status = 'published' || @request.auth.name = 'VIP'" }));
    const bob = await subscriber(['posts/*'], w.bob.token);
    // the first message's send is held by a hook: the events after it wait in the queue until it is let go, so
    // d2's check runs once the update (committed after d2) is in the table
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = true;
    core.hooks.registry.chain('onRealtimeMessageSend').bind(async (e) => {
      if (holding) {
        holding = false;
        await held;
      }
      await e.next();
    });
    await w.create('posts', { title: 'p1', status: 'published', author: w.alice.id });
    await w.create('posts', { title: 'd2', status: 'draft', author: w.alice.id });
    await w.update('users', w.bob.id, { name: 'VIP' });
    await w.create('posts', { title: 'd3', status: 'draft', author: w.alice.id });
    expect(realtimeStats(core).pending).toBeGreaterThan(1);
    release();
    expect(await titles(bob)).toEqual(['create:p1', 'create:d3']);
  });

  it('deleting the auth record leaves the stream as a guest', async () => {
    const bob = await subscriber(['posts/*'], w.bob.token);
    await w.create('posts', { title: 'd1', status: 'draft', author: w.bob.id });
    await w.remove('users', w.bob.id);
    await w.create('posts', { title: 'p2', status: 'published', author: w.alice.id });
    await w.create('posts', { title: 'd3', status: 'draft', author: w.alice.id });
    expect(await titles(bob)).toEqual(['create:d1', 'create:p2']);
    expect(realtimeStats(w.t.galley.core).authBindings).toBe(0);
  });

  it('a superuser stream sees everything and is judged by its own record', async () => {
    const root = await subscriber(['posts/*'], w.root);
    await w.create('posts', { title: 'd1', status: 'draft', author: w.bob.id });
    expect(await titles(root)).toEqual(['create:d1']);
  });
});

describe('stream limits', () => {
  afterEach(() => configureRealtime(w.t.galley.core, DEFAULT_REALTIME_LIMITS));

  it('the defaults are PocketBase\'s: 5 min idle, 30 min in all, 1000 topics of 2500 chars', () => {
    expect(DEFAULT_REALTIME_LIMITS).toMatchObject({ idleTimeoutMs: 300_000, maxLifetimeMs: 1_800_000, maxTopics: 1000, maxTopicLength: 2500 });
  });

  it('a stream with nothing sent for the idle timeout is closed and forgotten', async () => {
    configureRealtime(w.t.galley.core, { idleTimeoutMs: 300 });
    const c = await subscriber(['posts/*']);
    await c.ended;
    expect(realtimeStats(w.t.galley.core).clients).toBe(0);
  });

  it('a client that stops reading is dropped once its unread messages pass the buffer cap', async () => {
    const core = w.t.galley.core;
    configureRealtime(core, { maxBufferedBytes: 4096 });
    const reader = await subscriber(['posts/*']);
    // a stream nobody reads: its messages wait in its buffer
    const res = await w.t.galley.handle(new Request('http://127.0.0.1:8090/api/realtime'));
    const stuck = res.body!.getReader();
    const first = new TextDecoder().decode((await stuck.read()).value);
    const clientId = /^id:(\w+)/.exec(first)![1]!;
    expect((await w.t.call('POST', '/api/realtime', { body: { clientId, subscriptions: ['posts/*'] } })).status).toBe(204);
    const clients = realtimeStats(core).clients;
    let n = 0;
    while (realtimeStats(core).clients === clients) await w.create('posts', { title: `p${n++}`.padEnd(200, '.'), status: 'published', author: w.alice.id });
    expect(n).toBeGreaterThan(3);
    // the reading client is still there and got every message
    expect(realtimeStats(core).clients).toBe(clients - 1);
    await reader.sync();
    expect(reader.events().length).toBe(n);
    await stuck.cancel();
  });

  it('a busy stream is closed at its maximum lifetime', async () => {
    configureRealtime(w.t.galley.core, { maxLifetimeMs: 600 });
    const c = await subscriber(['posts/*']);
    let n = 0;
    let ended = false;
    void c.ended.then(() => (ended = true));
    while (!ended) await w.create('posts', { title: `p${n++}`, status: 'published', author: w.alice.id });
    expect(realtimeStats(w.t.galley.core).clients).toBe(0);
    expect(c.events().length).toBeGreaterThan(0);
  });
});
