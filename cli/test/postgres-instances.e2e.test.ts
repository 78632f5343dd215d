// Two compiled binaries serving one PostgreSQL database (`GALLEY_DATABASE_URL`, files on S3 as several instances
// require), driven by the official `pocketbase` SDK: a user signed up on A signs in on B, a subscriber on B
// receives A's writes and a subscriber on A B's, each rule-checked where it is connected (a draft reaches its
// author only); one instance killed with SIGKILL, the other keeps serving.
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBinary, type RunningBinary } from './helpers/binary.ts';
import { collector } from '../../server/test/realtime/event-collector.ts';
import { describePostgres, usePostgresDatabase } from '../../server/test/helpers/postgres.ts';

const BLOG = fileURLToPath(new URL('../../schema-examples/blog.json', import.meta.url));
// never reached: nothing here uploads a file
const S3_ENV = { GALLEY_S3_BUCKET: 'galley-e2e', GALLEY_S3_REGION: 'us-east-1', GALLEY_S3_ENDPOINT: 'http://127.0.0.1:9', GALLEY_S3_ACCESS_KEY: 'k', GALLEY_S3_SECRET: 's' };

describePostgres('two binaries on one PostgreSQL database', () => {
  const database = usePostgresDatabase();
  const globals = globalThis as { EventSource?: unknown };
  const previous = globals.EventSource;
  let a: RunningBinary;
  let b: RunningBinary;

  beforeAll(async () => {
    globals.EventSource = EventSource;
    const env = { ...S3_ENV, GALLEY_DATABASE_URL: database.get().url };
    // one after the other: the first applies the schema, the second finds it applied
    a = await startBinary({ schema: BLOG, env });
    b = await startBinary({ schema: BLOG, env });
  }, 120_000);

  afterAll(async () => {
    globals.EventSource = previous;
    await a?.stop();
    await b?.stop();
  });

  const client = (server: RunningBinary) => {
    const pb = new PocketBase(server.url);
    pb.autoCancellation(false);
    return pb;
  };

  it('realtime crosses the instances, rule-checked on each side; a killed instance leaves the other serving', async () => {
    const onA = client(a);
    const user = await onA.collection('users').create({ email: 'pg-alice@example.com', password: 'password123', passwordConfirm: 'password123' });
    await onA.collection('users').authWithPassword('pg-alice@example.com', 'password123');
    const onB = client(b);
    await onB.collection('users').authWithPassword('PG-ALICE@example.com', 'password123');
    const guestOnB = client(b);

    const [aliceOnB, guestEvents, aliceOnA] = [collector(), collector(), collector()];
    await onB.collection('posts').subscribe('*', aliceOnB.push);
    await guestOnB.collection('posts').subscribe('*', guestEvents.push);
    await onA.collection('posts').subscribe('*', aliceOnA.push);

    const draft = await onA.collection('posts').create({ title: 'Draft', slug: 'pg-draft', status: 'draft', author: user.id });
    await onB.collection('posts').update(draft.id, { status: 'published' });
    await aliceOnB.until(2);
    await aliceOnA.until(2);
    expect(aliceOnB.got.map((e) => [e.action, e.record.status])).toEqual([['create', 'draft'], ['update', 'published']]);
    expect(aliceOnA.got.map((e) => [e.action, e.record.status])).toEqual([['create', 'draft'], ['update', 'published']]);
    // the guest on B: not the draft, the published update only
    await guestEvents.until(1);
    expect(guestEvents.got.map((e) => [e.action, e.record.id])).toEqual([['update', draft.id]]);

    const killed = await a.stop('SIGKILL');
    expect(killed.signal ?? killed.code).toBeTruthy();
    const after = await onB.collection('posts').create({ title: 'After', slug: 'pg-after', status: 'published', author: user.id });
    expect((await client(b).collection('posts').getOne(after.id)).title).toBe('After');
    onA.realtime.unsubscribe();
    onB.realtime.unsubscribe();
    guestOnB.realtime.unsubscribe();
  });
});
