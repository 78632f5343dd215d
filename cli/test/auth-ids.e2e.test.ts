// Issue 18 items 1 and 4 through the compiled binary and the official SDK: a sign-up in `staff` with the id of
// bob's `users` record is refused (400 validation_invalid_auth_id on id); a staff record that already shares
// bob's id (written to data.db past the API) still never passes as bob; a case variant of a taken email is
// refused, and the victim signs in as herself.
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/src/db/open.ts';
import { newTokenKey } from '../../server/src/lib/ids.ts';
import { hashPassword } from '../../server/src/lib/password-hash.ts';
import { selfServiceUsers } from '../../server/test/helpers/users-collection.ts';
import { collector } from '../../server/test/realtime/event-collector.ts';
import { startBinary, type RunningBinary } from './helpers/binary.ts';
import { expectError } from './helpers/sdk-errors.ts';

const PASSWORD = 'password123';
const ownerRule = 'owner = @request.auth.id';
const schema = [
  selfServiceUsers({ listRule: '', viewRule: '' }),
  { name: 'staff', type: 'auth', listRule: 'id = @request.auth.id', viewRule: 'id = @request.auth.id', createRule: '', fields: [] },
  {
    name: 'notes',
    type: 'base',
    listRule: ownerRule,
    viewRule: ownerRule,
    createRule: '@request.body.owner = @request.auth.id',
    updateRule: ownerRule,
    deleteRule: ownerRule,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1 },
    ],
  },
];

let server: RunningBinary;
const globals = globalThis as { EventSource?: unknown };
const previous = globals.EventSource;
let bobId = '';
let noteId = '';
const client = () => {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
};
const account = (email: string, extra: Record<string, unknown> = {}) => ({ email, password: PASSWORD, passwordConfirm: PASSWORD, ...extra });

beforeAll(async () => {
  globals.EventSource = EventSource;
  server = await startBinary({ schema });
  const bob = client();
  bobId = (await bob.collection('users').create(account('bob@example.com', { name: 'Bob' }))).id;
  await bob.collection('users').authWithPassword('bob@example.com', PASSWORD);
  noteId = (await bob.collection('notes').create({ title: "bob's secret", owner: bobId })).id;
}, 60_000);

afterAll(async () => {
  globals.EventSource = previous;
  await server?.stop();
});

describe('auth ids across auth collections', () => {
  it('the probe: sign-up in staff with bob\'s users id → 400 naming id', async () => {
    const err = await expectError(client().collection('staff').create(account('mallory@example.com', { id: bobId })), 400);
    expect(err.response).toEqual({
      status: 400,
      message: 'Failed to create record.',
      data: { id: { code: 'validation_invalid_auth_id', message: 'Invalid or duplicated auth record id.' } },
    });
    await expectError(client().collection('staff').authWithPassword('mallory@example.com', PASSWORD), 400);
  });

  it('a staff record already sharing bob\'s id reads, changes and sees nothing of bob', async () => {
    const db = openDatabase({ file: join(server.dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 5000 });
    try {
      const password = await hashPassword(PASSWORD);
      await db.writer.run((tx) =>
        tx.db
          .insertInto('staff')
          .values({ id: bobId, email: 'eve@example.com', password, tokenKey: newTokenKey(), emailVisibility: 0, verified: 1, created: '', updated: '' })
          .execute(),
      );
    } finally {
      await db.close();
    }
    const eve = client();
    await eve.collection('staff').authWithPassword('eve@example.com', PASSWORD);
    expect(eve.authStore.record?.id).toBe(bobId);
    expect((await eve.collection('notes').getList()).totalItems).toBe(0);
    await expectError(eve.collection('notes').getOne(noteId), 404);
    await expectError(eve.collection('notes').update(noteId, { title: 'pwned' }), 404);
    await expectError(eve.collection('notes').create({ title: 'forged', owner: bobId }), 400);
    const seen = await eve.collection('users').getOne(bobId);
    expect(seen['email']).toBeUndefined();
    await expectError(eve.collection('users').update(bobId, { name: 'Eve' }), 404);

    const bob = client();
    await bob.collection('users').authWithPassword('bob@example.com', PASSWORD);
    const notes = await bob.collection('notes').getFullList();
    expect(notes.map((n) => n['title'])).toEqual(["bob's secret"]);
    expect((await bob.collection('users').getOne(bobId))['name']).toBe('Bob');

    // realtime: eve hears bob's users record change (listRule "") without his email, and none of his notes
    const [eveNotes, eveUsers, bobNotes] = [collector(), collector(), collector()];
    await eve.collection('notes').subscribe('*', eveNotes.push);
    await eve.collection('notes').subscribe(noteId, eveNotes.push);
    await eve.collection('users').subscribe(bobId, eveUsers.push);
    await bob.collection('notes').subscribe('*', bobNotes.push);
    await bob.collection('notes').update(noteId, { title: "bob's secret 2" });
    await bob.collection('users').update(bobId, { name: 'Bob 2' });
    await bobNotes.until(1);
    await eveUsers.until(1);
    expect(bobNotes.got.map((e) => e.record['title'])).toEqual(["bob's secret 2"]);
    expect(eveUsers.got[0]!.record['name']).toBe('Bob 2');
    expect(eveUsers.got[0]!.record['email']).toBeUndefined();
    expect(eveNotes.got).toEqual([]);
    await eve.realtime.unsubscribe();
    await bob.realtime.unsubscribe();
  });
});

describe('emails across case', () => {
  it('a case variant of a taken email is refused, and the victim signs in as herself', async () => {
    const carol = (await client().collection('users').create(account('carol@example.com'))).id;
    const err = await expectError(client().collection('users').create(account('Carol@Example.com')), 400);
    expect(err.response['data']).toEqual({ email: { code: 'validation_not_unique', message: 'Value must be unique.' } });
    const pb = client();
    const auth = await pb.collection('users').authWithPassword('CAROL@example.com', PASSWORD);
    expect(auth.record.id).toBe(carol);
  });
});
