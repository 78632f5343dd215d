// Issue 18 item 3 through the compiled binary and the official SDK: the six-hop filter of the report is a
// 400 at once, and a costly but allowed list runs on the reader worker (an entry point of the binary) while
// /api/health keeps answering.
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOUR_HOP_FILTER, friendsUsers, SIX_HOP_FILTER } from '../../server/test/helpers/friends-collection.ts';
import { runBinary, startBinary, type RunningBinary } from './helpers/binary.ts';
import { expectError } from './helpers/sdk-errors.ts';

let server: RunningBinary;
let pb: PocketBase;

beforeAll(async () => {
  server = await startBinary({ schema: [friendsUsers()] });
  const up = await runBinary(['superuser', 'upsert', 'root@example.com', 'rootpass123', '--dir', server.dir]);
  expect(up.code, up.stderr).toBe(0);
  const admin = new PocketBase(server.url);
  admin.autoCancellation(false);
  await admin.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
  // thirty users, each friends with the first ten: the four-hop list takes about a second of SQLite
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const created = await admin.collection('users').create({ email: `u${i}@example.com`, name: `u${i}`, password: 'password123', passwordConfirm: 'password123' });
    ids.push(created.id);
  }
  for (const id of ids) await admin.collection('users').update(id, { friends: ids.slice(0, 10) });
  pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  await pb.collection('users').authWithPassword('u0@example.com', 'password123');
});
afterAll(async () => {
  await server?.stop();
});

describe('a filter cannot freeze the binary', () => {
  it('refuses the report’s six-hop filter with a 400 at once', async () => {
    const started = performance.now();
    const err = await expectError(pb.collection('users').getList(1, 30, { filter: SIX_HOP_FILTER }), 400);
    console.log(`six-hop filter refused in ${(performance.now() - started).toFixed(1)} ms`);
    expect(err.response).toEqual({ status: 400, message: 'Filter is too complex: too many multi-valued relation hops (6, max 4).', data: {} });
  });

  it('refuses an expand six levels deep (millions of nested records) with a 400 at once', async () => {
    const started = performance.now();
    const err = await expectError(pb.collection('users').getList(1, 30, { expand: Array(6).fill('friends').join('.') }), 400);
    console.log(`six-level expand refused in ${(performance.now() - started).toFixed(1)} ms`);
    expect(err.response.message).toBe('Expand is too large: the response would nest more than 100000 records (ask for fewer levels or a smaller perPage).');
  });

  it('answers /api/health while a costly list is still running', async () => {
    await pb.collection('users').getList(1, 1, { filter: FOUR_HOP_FILTER, skipTotal: true }); // starts the reader worker
    let listDone = false;
    const started = performance.now();
    const listing = pb.collection('users').getList(1, 30, { filter: FOUR_HOP_FILTER }).finally(() => (listDone = true));
    await new Promise((r) => setTimeout(r, 100));
    const pendingWhenSent = !listDone;
    const health = await fetch(`${server.url}/api/health`);
    const healthMs = performance.now() - started;
    const pendingWhenAnswered = !listDone;
    const list = await listing;
    console.log(`health answered after ${healthMs.toFixed(1)} ms; the costly list after ${(performance.now() - started).toFixed(0)} ms`);
    expect(health.status).toBe(200);
    expect({ pendingWhenSent, pendingWhenAnswered }).toEqual({ pendingWhenSent: true, pendingWhenAnswered: true });
    expect(list.totalItems).toBe(0);
  });
});
