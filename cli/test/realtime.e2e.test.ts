// Realtime through the compiled binary with the official `pocketbase` SDK (and the `eventsource` package as
// EventSource): two users subscribe to `*` and to one record and each sees only what it may; a stop with
// streams open still exits cleanly.
import { EventSource } from 'eventsource';
import PocketBase, { type RecordSubscription } from 'pocketbase';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinary, type RunningBinary } from './helpers/binary.ts';
import { collector } from '../../server/test/realtime/event-collector.ts';

const BLOG = fileURLToPath(new URL('../../schema-examples/blog.json', import.meta.url));

let server: RunningBinary;
const globals = globalThis as { EventSource?: unknown };
const previous = globals.EventSource;

beforeAll(async () => {
  globals.EventSource = EventSource;
  server = await startBinary({ schema: BLOG });
}, 60_000);

afterAll(async () => {
  globals.EventSource = previous;
  await server?.stop();
});

async function signUp(email: string): Promise<{ pb: PocketBase; id: string }> {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  const created = await pb.collection('users').create({ email, name: email, password: 'password123', passwordConfirm: 'password123' });
  await pb.collection('users').authWithPassword(email, 'password123');
  return { pb, id: created.id };
}

describe('realtime against the binary', () => {
  it('two users subscribed to * and to one record each see only what they may', async () => {
    const alice = await signUp('rt-alice@example.com');
    const bob = await signUp('rt-bob@example.com');
    const draft = await alice.pb.collection('posts').create({ title: 'Draft', slug: 'draft', status: 'draft', author: alice.id });
    const [aAll, aOne, bAll, bOne] = [collector(), collector(), collector(), collector()];
    await alice.pb.collection('posts').subscribe('*', aAll.push);
    await alice.pb.collection('posts').subscribe(draft.id, aOne.push);
    await bob.pb.collection('posts').subscribe('*', bAll.push);
    await bob.pb.collection('posts').subscribe(draft.id, bOne.push);

    await alice.pb.collection('posts').update(draft.id, { title: 'Draft 2' });
    await alice.pb.collection('posts').update(draft.id, { status: 'published' });
    const other = await alice.pb.collection('posts').create({ title: 'Secret', slug: 'secret', status: 'draft', author: alice.id });
    const last = await bob.pb.collection('posts').create({ title: 'Bob', slug: 'bob', status: 'published', author: bob.id });

    await aAll.until(4);
    await aOne.until(2);
    await bAll.until(2);
    await bOne.until(1);
    const line = (e: RecordSubscription) => `${e.action} ${e.record['title']}`;
    expect(aAll.got.map(line)).toEqual(['update Draft 2', 'update Draft 2', 'create Secret', 'create Bob']);
    expect(aOne.got.map(line)).toEqual(['update Draft 2', 'update Draft 2']);
    // bob sees the post only once it is published, never alice's other draft; his own post came last
    expect(bAll.got.map(line)).toEqual(['update Draft 2', 'create Bob']);
    expect(bOne.got.map(line)).toEqual(['update Draft 2']);
    expect(bAll.got[0]!.record['status']).toBe('published');
    expect(bAll.got[1]!.record.id).toBe(last.id);
    expect(other.id).not.toBe(last.id);
    await alice.pb.realtime.unsubscribe();
    await bob.pb.realtime.unsubscribe();
  });

  it('SIGTERM with a stream open ends the stream and exits 0', async () => {
    const own = await startBinary({ schema: BLOG });
    const res = await fetch(`${own.url}/api/realtime`);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^id:[A-Za-z0-9]{40}\nevent:PB_CONNECT\ndata:\{"clientId":"[A-Za-z0-9]{40}"\}\n\n$/);
    const stopped = await own.stop();
    expect(stopped.signal).toBeNull();
    expect(stopped.code).toBe(0);
    expect((await reader.read().catch(() => ({ done: true }))).done).toBe(true);
  });
});
