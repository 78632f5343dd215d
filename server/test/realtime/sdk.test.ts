// The official `pocketbase` SDK's realtime, unchanged, over a real socket, with the `eventsource` package as
// the global EventSource: subscribe/unsubscribe, per-user visibility, options, and reconnect restoring topics.
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllClients, realtimeStats, whenRealtimeIdle } from '../../src/realtime/broker.ts';
import { startRealtimeWorld, type RealtimeWorld } from './fixture.ts';
import { collector } from './event-collector.ts';

let w: RealtimeWorld;
let url = '';
const hadEventSource = 'EventSource' in globalThis;
const previous = (globalThis as { EventSource?: unknown }).EventSource;

beforeAll(async () => {
  (globalThis as { EventSource?: unknown }).EventSource = EventSource;
  w = await startRealtimeWorld();
  ({ url } = await w.t.galley.listen('127.0.0.1:0'));
});
afterAll(async () => {
  if (hadEventSource) (globalThis as { EventSource?: unknown }).EventSource = previous;
  else delete (globalThis as { EventSource?: unknown }).EventSource;
  await w?.t.close();
});

async function client(email?: string): Promise<PocketBase> {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  if (email) await pb.collection('users').authWithPassword(email, 'password123');
  return pb;
}

describe('pocketbase SDK realtime', () => {
  it('subscribe("*") as two users and a guest: each sees only what it may see', async () => {
    const [alice, bob, guest] = [await client('alice@example.com'), await client('bob@example.com'), await client()];
    const [a, b, g] = [collector(), collector(), collector()];
    await alice.collection('posts').subscribe('*', a.push);
    await bob.collection('posts').subscribe('*', b.push);
    await guest.collection('posts').subscribe('*', g.push);
    const draft = await w.create('posts', { title: 'alice draft', status: 'draft', author: w.alice.id });
    const pub = await w.create('posts', { title: 'public', status: 'published', author: w.bob.id });
    // a last event everyone may see: whatever was sent before it has arrived once it has
    const end = await w.create('posts', { title: 'end', status: 'published', author: w.bob.id });
    await a.until(3);
    await b.until(2);
    await g.until(2);
    expect(a.got.map((e) => `${e.action}:${e.record.id}`)).toEqual([`create:${draft.id}`, `create:${pub.id}`, `create:${end.id}`]);
    expect(b.got.map((e) => e.record.id)).toEqual([pub.id, end.id]);
    expect(g.got.map((e) => e.record.id)).toEqual([pub.id, end.id]);
    for (const pb of [alice, bob, guest]) await pb.realtime.unsubscribe();
  });

  it('subscribe(recordId, {expand}) and unsubscribe', async () => {
    const pb = await client('alice@example.com');
    const p = await w.create('posts', { title: 'one', status: 'draft', author: w.alice.id });
    const one = collector();
    const all = collector();
    const unsubOne = await pb.collection('posts').subscribe(p.id, one.push, { expand: 'author' });
    await pb.collection('posts').subscribe('*', all.push);
    await w.update('posts', p.id, { title: 'one!' });
    await one.until(1);
    await all.until(1);
    expect(one.got[0]!.record.expand?.['author']?.id).toBe(w.alice.id);
    expect(all.got[0]!.record.expand).toBeUndefined();
    await unsubOne();
    await pb.collection('posts').unsubscribe('*');
    // the last listener gone, the SDK closes its EventSource: the server forgets the client when the socket closes
    while (realtimeStats(w.t.galley.core).clients > 0) await new Promise((r) => setTimeout(r, 20));
    expect(realtimeStats(w.t.galley.core).subscriptions).toBe(0);
    await w.update('posts', p.id, { title: 'one!!' });
    await whenRealtimeIdle(w.t.galley.core);
    expect(one.got.length).toBe(1);
    expect(all.got.length).toBe(1);
  });

  it('reconnects when the server ends the stream and resubmits its subscriptions', async () => {
    const pb = await client('alice@example.com');
    const got = collector();
    await pb.collection('posts').subscribe('*', got.push, { filter: "title ~ 'rc'" });
    const firstId = pb.realtime.clientId;
    closeAllClients(w.t.galley.core);
    // the SDK reconnects after 200 ms and POSTs its topics with the new client id
    while (realtimeStats(w.t.galley.core).subscriptions === 0) await new Promise((r) => setTimeout(r, 20));
    expect(pb.realtime.clientId).not.toBe(firstId);
    await w.create('posts', { title: 'rc draft', status: 'draft', author: w.alice.id });
    await w.create('posts', { title: 'other', status: 'published', author: w.alice.id });
    await got.until(1);
    await whenRealtimeIdle(w.t.galley.core);
    expect(got.got.map((e) => e.record['title'])).toEqual(['rc draft']);
    await pb.realtime.unsubscribe();
  });
});
