// Issue 18, item 1: an auth record's id is unique across auth collections. A sign-up in `staff` with the id
// of bob's `users` record is refused (PocketBase's validation_invalid_auth_id on `id`), on every write path;
// and where such a pair already exists (written before the check, or by hand), a `staff` token still never
// passes as bob: rules, email visibility and the manageRule compare the auth collection too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/lib/password-hash.ts';
import { newTokenKey } from '../../src/lib/ids.ts';
import { superuserToken } from '../helpers/test-galley.ts';
import { startAuthGalley, type AuthTestGalley } from './harness.ts';

const ownerRule = 'owner = @request.auth.id';
const schema = [
  {
    name: 'users',
    type: 'auth',
    // anyone may list users; the email shows only when emailVisibility is on, or to the user itself
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: 'id = @request.auth.id',
    deleteRule: 'id = @request.auth.id',
    manageRule: 'id = @request.auth.id',
    fields: [{ name: 'name', type: 'text' }],
  },
  { name: 'staff', type: 'auth', listRule: 'id = @request.auth.id', viewRule: 'id = @request.auth.id', createRule: '', fields: [] },
  {
    name: 'notes',
    type: 'base',
    listRule: ownerRule,
    viewRule: ownerRule,
    createRule: '@request.body.owner = @request.auth.id',
    updateRule: ownerRule,
    // the same through a path: the id of the joined users record
    deleteRule: 'owner.id = @request.auth.id',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1 },
      { name: 'doc', type: 'file', maxSelect: 1, maxSize: 10000, protected: true },
    ],
  },
];

const PASSWORD = 'password123';
let t: AuthTestGalley;
let root: string;
const bob = { id: '', token: '', note: '' };

async function login(collection: string, email: string) {
  const res = await t.call('POST', `/api/collections/${collection}/auth-with-password`, { body: { identity: email, password: PASSWORD } });
  expect(res.status, res.text).toBe(200);
  return res.json.token as string;
}

function signUpBody(email: string, extra: Record<string, unknown> = {}) {
  return { email, password: PASSWORD, passwordConfirm: PASSWORD, ...extra };
}

async function countRows(table: string, id: string): Promise<number> {
  const rows = await t.galley.core.db.read.selectFrom(table).select('id').where('id', '=', id).execute();
  return rows.length;
}

beforeAll(async () => {
  t = await startAuthGalley(schema);
  root = await superuserToken(t);
  const created = await t.call('POST', '/api/collections/users/records', { body: signUpBody('bob@example.com', { name: 'Bob' }) });
  expect(created.status, created.text).toBe(200);
  bob.id = created.json.id;
  bob.token = await login('users', 'bob@example.com');
  const note = await t.call('POST', '/api/collections/notes/records', { body: { title: "bob's secret", owner: bob.id }, auth: bob.token });
  expect(note.status, note.text).toBe(200);
  bob.note = note.json.id;
}, 60_000);

afterAll(() => t?.close());

describe('an id another auth collection holds is refused on every write path', () => {
  it('the probe: sign-up in staff with bob\'s users id → 400 naming id, nothing stored', async () => {
    const res = await t.call('POST', '/api/collections/staff/records', { body: signUpBody('mallory@example.com', { id: bob.id }) });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      status: 400,
      message: 'Failed to create record.',
      data: { id: { code: 'validation_invalid_auth_id', message: 'Invalid or duplicated auth record id.' } },
    });
    expect(await countRows('staff', bob.id)).toBe(0);
    // and the would-be attacker cannot sign in
    const signIn = await t.call('POST', '/api/collections/staff/auth-with-password', { body: { identity: 'mallory@example.com', password: PASSWORD } });
    expect(signIn.status).toBe(400);
  });

  it('a superuser cannot create it either, nor a superuser with a users id, nor a user with a superuser id', async () => {
    const asRoot = await t.call('POST', '/api/collections/staff/records', { body: signUpBody('s1@example.com', { id: bob.id }), auth: root });
    expect(asRoot.status).toBe(400);
    expect(asRoot.json.data.id.code).toBe('validation_invalid_auth_id');
    const superuser = await t.call('POST', '/api/collections/_superusers/records', { body: signUpBody('root2@example.com', { id: bob.id }), auth: root });
    expect(superuser.status).toBe(400);
    expect(superuser.json.data.id.code).toBe('validation_invalid_auth_id');
    const rootId = (await t.galley.core.db.read.selectFrom('_superusers').select('id').executeTakeFirstOrThrow())['id'] as string;
    const user = await t.call('POST', '/api/collections/users/records', { body: signUpBody('u1@example.com', { id: rootId }) });
    expect(user.status).toBe(400);
    expect(user.json.data.id.code).toBe('validation_invalid_auth_id');
    expect(await countRows('users', rootId)).toBe(0);
  });

  it('a batch create (and upsert) with that id fails the whole batch', async () => {
    const res = await t.call('POST', '/api/batch', {
      auth: root,
      body: {
        requests: [
          { method: 'POST', url: '/api/collections/staff/records', body: signUpBody('b1@example.com') },
          { method: 'PUT', url: '/api/collections/staff/records', body: signUpBody('b2@example.com', { id: bob.id }) },
        ],
      },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.json.data.requests['1'].response.data.id.code).toBe('validation_invalid_auth_id');
    expect(await countRows('staff', bob.id)).toBe(0);
    const b1 = await t.galley.core.db.read.selectFrom('staff').select('id').where('email', '=', 'b1@example.com').execute();
    expect(b1).toHaveLength(0);
  });

  it("an update cannot move a record onto that id (wire: an id change is refused, validation_pk_change)", async () => {
    const staff = await t.call('POST', '/api/collections/staff/records', { body: signUpBody('s2@example.com') });
    expect(staff.status, staff.text).toBe(200);
    const res = await t.call('PATCH', `/api/collections/staff/records/${staff.json.id}`, { auth: root, body: { id: bob.id } });
    expect(res.status, res.text).toBe(400);
    expect(res.json.data.id.code).toBe('validation_pk_change');
    expect(await countRows('staff', bob.id)).toBe(0);
  });

  it('the same id in a base collection stays allowed (a record keyed by its user id)', async () => {
    // wire: PocketBase checks auth collections only
    const res = await t.call('POST', '/api/collections/notes/records', { auth: bob.token, body: { id: bob.id, title: 'keyed by bob', owner: bob.id } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.id).toBe(bob.id);
    expect((await t.call('DELETE', `/api/collections/notes/records/${bob.id}`, { auth: bob.token })).status).toBe(204);
  });
});

describe('an id already shared with another auth collection (data from before the check)', () => {
  let mallory = '';

  beforeAll(async () => {
    // written past the API, as an older Galley (or a hand edit) could have
    const password = await hashPassword(PASSWORD);
    await t.galley.core.db.writer.run((tx) =>
      tx.db
        .insertInto('staff')
        .values({ id: bob.id, email: 'mallory@example.com', password, tokenKey: newTokenKey(), emailVisibility: 0, verified: 1, created: '', updated: '' })
        .execute(),
    );
    mallory = await login('staff', 'mallory@example.com');
  });

  it("the staff token lists, views, updates and deletes none of bob's notes", async () => {
    const list = await t.call('GET', '/api/collections/notes/records', { auth: mallory });
    expect(list.status).toBe(200);
    expect(list.json.totalItems).toBe(0);
    expect(list.text).not.toContain('secret');
    expect((await t.call('GET', `/api/collections/notes/records/${bob.note}`, { auth: mallory })).status).toBe(404);
    expect((await t.call('PATCH', `/api/collections/notes/records/${bob.note}`, { auth: mallory, body: { title: 'pwned' } })).status).toBe(404);
    expect((await t.call('DELETE', `/api/collections/notes/records/${bob.note}`, { auth: mallory })).status).toBe(404);
  });

  it('the staff token cannot create a note as bob (@request.body.owner = @request.auth.id)', async () => {
    const res = await t.call('POST', '/api/collections/notes/records', { auth: mallory, body: { title: 'forged', owner: bob.id } });
    expect(res.status).toBe(400);
    expect(await t.galley.core.db.read.selectFrom('notes').select('id').where('title', '=', 'forged').execute()).toHaveLength(0);
  });

  it("the staff token neither reads bob's hidden email nor updates or manages bob's users record", async () => {
    const view = await t.call('GET', `/api/collections/users/records/${bob.id}`, { auth: mallory });
    expect(view.status).toBe(200);
    expect(view.json.email).toBeUndefined();
    const list = await t.call('GET', '/api/collections/users/records', { auth: mallory });
    expect(list.text).not.toContain('bob@example.com');
    const expanded = await t.call('GET', `/api/collections/notes/records/${bob.note}?expand=owner`, { auth: root });
    expect(expanded.json.expand.owner.email).toBe('bob@example.com'); // a superuser still sees it
    const update = await t.call('PATCH', `/api/collections/users/records/${bob.id}`, { auth: mallory, body: { name: 'Mallory' } });
    expect(update.status).toBe(404);
    const takeover = await t.call('PATCH', `/api/collections/users/records/${bob.id}`, { auth: mallory, body: { email: 'mallory2@example.com' } });
    expect(takeover.status).toBe(404);
    const stored = await t.galley.core.db.read.selectFrom('users').select(['name', 'email']).where('id', '=', bob.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ name: 'Bob', email: 'bob@example.com' });
  });

  it("a file token of the staff record opens none of bob's protected files; bob's does", async () => {
    const form = new FormData();
    form.set('title', 'with a file');
    form.set('owner', bob.id);
    form.set('doc', new File(['bob only'], 'plan.txt', { type: 'text/plain' }));
    const note = await t.call('POST', '/api/collections/notes/records', { auth: bob.token, body: form });
    expect(note.status, note.text).toBe(200);
    const url = (token: string) => `/api/files/notes/${note.json.id}/${note.json.doc}?token=${encodeURIComponent(token)}`;
    const fileToken = async (auth: string) => (await t.call('POST', '/api/files/token', { auth })).json.token as string;
    const asMallory = await t.call('GET', url(await fileToken(mallory)));
    expect(asMallory.status).toBe(404);
    expect(asMallory.text).not.toContain('bob only');
    const asBob = await t.call('GET', url(await fileToken(bob.token)));
    expect(asBob.status).toBe(200);
    expect(asBob.text).toBe('bob only');
  });

  it('bob keeps every right he had, and sees his own email', async () => {
    const list = await t.call('GET', '/api/collections/notes/records', { auth: bob.token });
    expect(list.json.totalItems).toBe(2);
    const self = await t.call('GET', `/api/collections/users/records/${bob.id}`, { auth: bob.token });
    expect(self.json.email).toBe('bob@example.com');
    const update = await t.call('PATCH', `/api/collections/notes/records/${bob.note}`, { auth: bob.token, body: { title: "bob's secret" } });
    expect(update.status).toBe(200);
  });

  it("mallory's own staff record still answers to mallory (same id, same collection)", async () => {
    const self = await t.call('GET', `/api/collections/staff/records/${bob.id}`, { auth: mallory });
    expect(self.status).toBe(200);
    expect(self.json.email).toBe('mallory@example.com');
  });
});
