// The compiled binary with the official SDK: a filter's all-of check over a multi-valued relation reads nothing
// the caller may not list (a note hidden by its listRule, a private email), in lists and in realtime subscription
// filters alike; a sort through a relation keeps every record and orders hidden values as empty.
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBinary, startBinary, type RunningBinary } from './helpers/binary.ts';
import { collector } from '../../server/test/realtime/event-collector.ts';

const OWNER_ONLY = 'owner = @request.auth.id';
const SCHEMA = {
  collections: [
    {
      name: 'users',
      type: 'auth',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: 'id = @request.auth.id',
      deleteRule: null,
      fields: [
        { name: 'name', type: 'text' },
        { name: 'friends', type: 'relation', collectionId: 'users', maxSelect: 5 },
      ],
    },
    {
      name: 'notes',
      listRule: OWNER_ONLY,
      viewRule: OWNER_ONLY,
      createRule: OWNER_ONLY,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'text', type: 'text' },
        { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1 },
      ],
    },
    {
      name: 'comments',
      listRule: '',
      viewRule: '',
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'text', type: 'text' },
        { name: 'refs', type: 'relation', collectionId: 'notes', maxSelect: 5 },
        { name: 'note', type: 'relation', collectionId: 'notes', maxSelect: 1 },
      ],
    },
  ],
};

let server: RunningBinary;
let admin: PocketBase;
const pbs: Record<string, PocketBase> = {};
const ids: Record<string, string> = {};
const globals = globalThis as { EventSource?: unknown };
const previous = globals.EventSource;

async function signUp(who: string, emailVisibility: boolean): Promise<void> {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  const email = `${who}@example.com`;
  const created = await pb.collection('users').create({ email, emailVisibility, name: who, password: 'password123', passwordConfirm: 'password123' });
  await pb.collection('users').authWithPassword(email, 'password123');
  pbs[who] = pb;
  ids[who] = created.id;
}

beforeAll(async () => {
  globals.EventSource = EventSource;
  server = await startBinary({ schema: SCHEMA });
  const up = await runBinary(['superuser', 'upsert', 'root@example.com', 'rootpass123', '--dir', server.dir]);
  expect(up.code, up.stderr).toBe(0);
  admin = new PocketBase(server.url);
  await admin.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
  await signUp('alice', true);
  await signUp('bob', false);
  await signUp('carol', true);
  pbs['guest'] = new PocketBase(server.url);
  pbs['guest'].autoCancellation(false);
  await pbs['alice']!.collection('users').update(ids['alice']!, { friends: [ids['bob'], ids['carol']] });
  ids['aliceNote'] = (await pbs['alice']!.collection('notes').create({ text: 'alice shopping list', owner: ids['alice'] })).id;
  ids['bobNote'] = (await pbs['bob']!.collection('notes').create({ text: 'bob secret: the code is 4711', owner: ids['bob'] })).id;
  await admin.collection('comments').create({ id: 'cmt000000000001', text: 'one', refs: [ids['aliceNote'], ids['bobNote']], note: ids['bobNote'] });
  await admin.collection('comments').create({ id: 'cmt000000000002', text: 'two', refs: [ids['aliceNote']], note: ids['aliceNote'] });
  await admin.collection('comments').create({ id: 'cmt000000000003', text: 'three' });
}, 60_000);

afterAll(async () => {
  for (const pb of Object.values(pbs)) await pb.realtime.unsubscribe().catch(() => undefined);
  globals.EventSource = previous;
  await server?.stop();
});

const total = async (who: string, collection: string, filter: string) =>
  (await pbs[who]!.collection(collection).getList(1, 50, { filter })).totalItems;

describe('the all-of check reads only what the caller may see (binary + SDK)', () => {
  it('two filters differing only in a hidden note prefix answer alike', async () => {
    const probe = (prefix: string) => `id = 'cmt000000000001' && refs.text !~ '${prefix}%'`;
    for (const who of ['alice', 'carol', 'guest']) {
      expect(await total(who, 'comments', probe('bob secret')), who).toBe(await total(who, 'comments', probe('zzzz')));
    }
    // what alice may see still decides: her note fails `!~ 'alice%'`
    expect(await total('alice', 'comments', probe('zzzz'))).toBe(1);
    expect(await total('alice', 'comments', probe('alice'))).toBe(0);
    // bob sees his own note
    expect(await total('bob', 'comments', probe('bob secret'))).toBe(0);
  });

  it('two filters differing only in a private email prefix answer alike', async () => {
    const probe = (prefix: string) => `id = '${ids['alice']}' && friends.email !~ '${prefix}%'`;
    for (const who of ['carol', 'guest']) {
      expect([await total(who, 'users', probe('bob@')), await total(who, 'users', probe('zzzz'))], who).toEqual([1, 1]);
    }
    expect(await total('carol', 'users', probe('carol@'))).toBe(0);
  });

  it('a realtime subscription filter is no oracle either', async () => {
    // alice sees her own note of comment 1 (it matches both filters), not bob's
    const secret = collector();
    const wrong = collector();
    const visible = collector();
    const alice = pbs['alice']!;
    await alice.collection('comments').subscribe('*', secret.push, { filter: "refs.text !~ 'bob secret%'" });
    await alice.collection('comments').subscribe('*', wrong.push, { filter: "refs.text !~ 'zzzz%'" });
    await alice.collection('comments').subscribe('*', visible.push, { filter: "refs.text !~ 'alice%' || text = 'sentinel'" });
    await admin.collection('comments').update('cmt000000000001', { text: 'one, edited' });
    await admin.collection('comments').update('cmt000000000002', { text: 'two, edited' });
    // the last event: only `visible` takes it, so had it taken comment 1 or 2, that would show before it
    await admin.collection('comments').update('cmt000000000003', { text: 'sentinel' });
    await Promise.race([
      Promise.all([secret.until(2), wrong.until(2), visible.until(1)]),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`events: ${secret.got.length} ${wrong.got.length} ${visible.got.length}`)), 10_000)),
    ]);
    const line = (e: { action: string; record: { id: string } }) => `${e.action} ${e.record.id}`;
    expect(secret.got.map(line)).toEqual(['update cmt000000000001', 'update cmt000000000002']);
    expect(wrong.got.map(line)).toEqual(['update cmt000000000001', 'update cmt000000000002']);
    expect(visible.got.map(line)).toEqual(['update cmt000000000003']);
  });
});

describe('a sort through a relation orders, never removes or leaks (binary + SDK)', () => {
  const order = async (who: string, sort: string) => {
    const page = await pbs[who]!.collection('comments').getList(1, 50, { sort, fields: 'id' });
    expect(page.totalItems).toBe(3);
    return page.items.map((i) => i.id.slice(-1));
  };

  it('notes the caller may not list sort as empty, tie broken by id', async () => {
    // by text: alice's (2) before bob's (1); hidden from a guest, both are empty like the note-less 3
    expect(await order('guest', 'note.text,id')).toEqual(['1', '2', '3']);
    expect(await order('guest', '-note.text,id')).toEqual(['1', '2', '3']);
    expect(await order('alice', 'note.text,id')).toEqual(['1', '3', '2']);
    expect(await order('bob', '-note.text,id')).toEqual(['1', '2', '3']);
  });
});
