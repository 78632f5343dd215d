// Mass assignment and the manageRule: verified, email and tokenKey change only through their flows, a
// superuser, or a caller the collection's manageRule grants manager access for that record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserToken, runScenario, type Scenario } from '../helpers/test-galley.ts';
import { startAuthGalley, type AuthTestGalley } from './harness.ts';

const schema = [
  {
    name: 'users',
    type: 'auth',
    listRule: "id = @request.auth.id || @request.auth.role = 'staff'",
    viewRule: "id = @request.auth.id || @request.auth.role = 'staff'",
    createRule: '@request.body.role:isset = false || @request.auth.role = "staff"',
    updateRule: "(id = @request.auth.id && @request.body.role:isset = false) || @request.auth.role = 'staff'",
    deleteRule: null,
    // staff manage members only, never other staff
    manageRule: "@request.auth.role = 'staff' && role != 'staff'",
    fields: [
      { name: 'name', type: 'text' },
      { name: 'role', type: 'select', values: ['member', 'staff'], maxSelect: 1 },
      { name: 'created', type: 'autodate', onCreate: true },
    ],
  },
  {
    name: 'tickets',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: null,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1 },
    ],
  },
];

let t: AuthTestGalley;
const tokens: Record<string, string | null> = { guest: null };
const ids: Record<string, string> = {};
const users = '/api/collections/users/records';

async function create(body: Record<string, unknown>, as: string | null = null) {
  return t.call('POST', users, { body: { password: 'password123', passwordConfirm: 'password123', ...body }, auth: as ? tokens[as] : null });
}

async function login(email: string, password = 'password123') {
  const res = await t.call('POST', '/api/collections/users/auth-with-password', { body: { identity: email, password } });
  return res.json?.token as string | undefined;
}

async function stored(id: string): Promise<Record<string, unknown>> {
  return (await t.galley.core.db.read.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as Record<string, unknown>;
}

beforeAll(async () => {
  t = await startAuthGalley(schema);
  tokens['root'] = await superuserToken(t);
  for (const name of ['alice', 'bob', 'carol', 'sam', 'sue']) {
    const res = await create({ email: `${name}@example.com`, name });
    if (res.status !== 200) throw new Error(res.text);
    ids[name] = res.json.id;
  }
  for (const name of ['sam', 'sue']) {
    await t.call('PATCH', `${users}/${ids[name]}`, { body: { role: 'staff' }, auth: tokens['root'] });
  }
  for (const name of ['alice', 'bob', 'carol', 'sam', 'sue']) tokens[name] = (await login(`${name}@example.com`)) ?? null;
}, 60_000);

afterAll(() => t?.close());

const run = (s: Scenario) => runScenario(t, s, tokens);

describe('sign-up cannot assign what only flows and managers may', () => {
  const pw = { password: 'password123', passwordConfirm: 'password123' };
  const table: Scenario[] = [
    { name: 'verified=true on sign-up is refused', method: 'POST', path: users, body: { ...pw, email: 'v@example.com', verified: true }, status: 400, contains: ['"verified":{"code":"validation_values_mismatch"'], events: [] },
    { name: 'verified="true" as a string is refused too', method: 'POST', path: users, body: { ...pw, email: 'v2@example.com', verified: 'true' }, status: 400, contains: ['"verified"'], events: [] },
    { name: 'the id of another user is refused', method: 'POST', path: users, body: () => ({ ...pw, email: 'dup@example.com', id: ids['alice'] }), status: 400, notContains: ['"token"'], events: [] },
    { name: 'an email already used is refused', method: 'POST', path: users, body: { ...pw, email: 'alice@example.com' }, status: 400, contains: ['"email":{"code":"validation_not_unique"'], events: [] },
    { name: 'a password without its confirmation is refused', method: 'POST', path: users, body: { email: 'pc@example.com', password: 'password123' }, status: 400, contains: ['"passwordConfirm"'], events: [] },
    { name: 'a member cannot give herself a role on sign-up', method: 'POST', path: users, body: { ...pw, email: 'r@example.com', role: 'staff' }, status: 400, contains: ['Failed to create record.'], events: [] },
    { name: 'a superuser may create a verified record', method: 'POST', path: users, as: 'root', body: { ...pw, email: 'su-made@example.com', verified: true }, status: 200, contains: ['"verified":true'], events: ['create:users'] },
    { name: 'staff (manageRule) may create a verified member', method: 'POST', path: users, as: 'sam', body: { ...pw, email: 'staff-made@example.com', verified: true, role: 'member' }, status: 200, contains: ['"verified":true'], events: ['create:users'] },
    { name: 'staff may not create verified staff (the manageRule is judged on the new record)', method: 'POST', path: users, as: 'sam', body: { ...pw, email: 'staff2@example.com', verified: true, role: 'staff' }, status: 400, contains: ['"verified":{"code":"validation_values_mismatch"'], events: [] },
  ];
  it.each(table)('$name', async (s) => {
    await run(s);
  });

  it('tokenKey, created and collection keys in a sign-up body are ignored', async () => {
    const res = await create({ email: 'tk@example.com', tokenKey: 'A'.repeat(50), created: '2000-01-01 00:00:00.000Z', collectionId: 'x', collectionName: 'y', expand: { a: 1 } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.collectionName).toBe('users');
    expect(res.json.created).not.toBe('2000-01-01 00:00:00.000Z');
    expect((await stored(res.json.id))['tokenKey']).not.toBe('A'.repeat(50));
  });
});

describe('updates by the owner', () => {
  const table: Scenario[] = [
    { name: 'the owner cannot change her email directly', method: 'PATCH', path: () => `${users}/${ids['alice']}`, as: 'alice', body: { email: 'new@example.com' }, status: 400, contains: ['"email":{"code":"validation_values_mismatch"'], events: [] },
    { name: 'the owner cannot verify herself', method: 'PATCH', path: () => `${users}/${ids['alice']}`, as: 'alice', body: { verified: true }, status: 400, contains: ['"verified"'], events: [] },
    { name: 'sending the unchanged email is fine', method: 'PATCH', path: () => `${users}/${ids['alice']}`, as: 'alice', body: { email: 'alice@example.com', name: 'Alice' }, status: 200, contains: ['"name":"Alice"'], events: ['update:users'] },
    { name: 'a new password needs the old one', method: 'PATCH', path: () => `${users}/${ids['alice']}`, as: 'alice', body: { password: 'newpassword1', passwordConfirm: 'newpassword1' }, status: 400, contains: ['"oldPassword":{"code":"validation_invalid_old_password"'], events: [] },
    { name: 'a wrong old password is refused', method: 'PATCH', path: () => `${users}/${ids['alice']}`, as: 'alice', body: { password: 'newpassword1', passwordConfirm: 'newpassword1', oldPassword: 'nope-nope' }, status: 400, contains: ['"oldPassword"'], events: [] },
    { name: 'another member may not update her at all', method: 'PATCH', path: () => `${users}/${ids['alice']}`, as: 'bob', body: { name: 'x' }, status: 404, events: [] },
    { name: 'another member may not see her', method: 'GET', path: () => `${users}/${ids['alice']}`, as: 'bob', status: 404, events: [] },
  ];
  it.each(table)('$name', async (s) => {
    await run(s);
  });

  it('a tokenKey in an update body is ignored; a new id is refused (wire: validation_pk_change)', async () => {
    const before = await stored(ids['bob']!);
    const res = await t.call('PATCH', `${users}/${ids['bob']}`, { body: { tokenKey: 'B'.repeat(50), name: 'Bobby' }, auth: tokens['bob'] });
    expect(res.status, res.text).toBe(200);
    expect(res.json.id).toBe(ids['bob']);
    expect((await stored(ids['bob']!))['tokenKey']).toBe(before['tokenKey']);
    const moved = await t.call('PATCH', `${users}/${ids['bob']}`, { body: { id: 'zzzzzzzzzzzzzzz', name: 'Bobby' }, auth: tokens['bob'] });
    expect(moved.status, moved.text).toBe(400);
    expect(moved.json.data.id.code).toBe('validation_pk_change');
  });

  it('with the right old password the password changes and earlier tokens stop working at once', async () => {
    const old = tokens['bob'];
    const res = await t.call('PATCH', `${users}/${ids['bob']}`, { body: { password: 'newpassword1', passwordConfirm: 'newpassword1', oldPassword: 'password123' }, auth: old });
    expect(res.status, res.text).toBe(200);
    expect((await t.call('GET', `${users}/${ids['bob']}`, { auth: old })).status).toBe(404);
    expect((await t.call('POST', '/api/collections/users/auth-refresh', { auth: old })).status).toBe(401);
    tokens['bob'] = (await login('bob@example.com', 'newpassword1')) ?? null;
    expect(tokens['bob']).toBeTruthy();
  });
});

describe('managers (manageRule) and superusers', () => {
  it('staff change a member’s email, verified flag and password without oldPassword; her tokens die', async () => {
    const carolOld = tokens['carol'];
    const res = await t.call('PATCH', `${users}/${ids['carol']}`, {
      body: { email: 'carol2@example.com', verified: true, password: 'managed-pass', passwordConfirm: 'managed-pass' },
      auth: tokens['sam'],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ email: 'carol2@example.com', verified: true });
    expect((await t.call('POST', '/api/collections/users/auth-refresh', { auth: carolOld })).status).toBe(401);
    expect(await login('carol2@example.com', 'managed-pass')).toBeTruthy();
  });

  it('staff may update other staff (updateRule) but without manager access to their email', async () => {
    const res = await t.call('PATCH', `${users}/${ids['sue']}`, { body: { email: 'sue2@example.com' }, auth: tokens['sam'] });
    expect(res.status).toBe(400);
    expect(res.json.data.email.code).toBe('validation_values_mismatch');
    const pw = await t.call('PATCH', `${users}/${ids['sue']}`, { body: { password: 'x-password', passwordConfirm: 'x-password' }, auth: tokens['sam'] });
    expect(pw.json.data.oldPassword.code).toBe('validation_invalid_old_password');
  });

  it('a superuser may change email, verified and password of anyone', async () => {
    const res = await t.call('PATCH', `${users}/${ids['alice']}`, {
      body: { email: 'alice2@example.com', verified: true, password: 'root-set-pass', passwordConfirm: 'root-set-pass' },
      auth: tokens['root'],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ email: 'alice2@example.com', verified: true });
    expect(await login('alice2@example.com', 'root-set-pass')).toBeTruthy();
  });
});

describe('managers see the emails of the records they manage, on every path', () => {
  let ticket = '';
  beforeAll(async () => {
    const res = await t.call('POST', '/api/collections/tickets/records', { body: { title: 'T', owner: ids['sue'] }, auth: tokens['root'] });
    ticket = res.json.id;
    await t.call('POST', '/api/collections/tickets/records', { body: { title: 'U', owner: ids['carol'] }, auth: tokens['root'] });
  });

  it('list: staff see members’ emails, not other staff’s (unmanaged) emails', async () => {
    const res = await t.call('GET', `${users}?perPage=100`, { auth: tokens['sam'] });
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.json.items.map((u: Record<string, unknown>) => [u['name'], u]));
    expect(byName['carol'].email).toBe('carol2@example.com');
    expect(byName['sam'].email).toBe('sam@example.com');
    expect(byName['sue']).not.toHaveProperty('email');
  });

  it('view: the same, one record at a time; a member sees only herself', async () => {
    expect((await t.call('GET', `${users}/${ids['carol']}`, { auth: tokens['sam'] })).json.email).toBe('carol2@example.com');
    expect((await t.call('GET', `${users}/${ids['sue']}`, { auth: tokens['sam'] })).json).not.toHaveProperty('email');
    const carol = await login('carol2@example.com', 'managed-pass');
    expect((await t.call('GET', `${users}/${ids['carol']}`, { auth: carol })).json.email).toBe('carol2@example.com');
    expect((await t.call('GET', `${users}/${ids['sam']}`, { auth: carol })).status).toBe(404);
  });

  it('expand: a managed owner’s email shows for staff only; fields cannot bring it back for others', async () => {
    const asStaff = await t.call('GET', '/api/collections/tickets/records?expand=owner&sort=title', { auth: tokens['sam'] });
    expect(asStaff.json.items[1].expand.owner.email).toBe('carol2@example.com');
    expect(asStaff.json.items[0].expand.owner).not.toHaveProperty('email');
    const asGuest = await t.call('GET', `/api/collections/tickets/records/${ticket}?expand=owner&fields=expand.owner.email,expand.owner.id`);
    expect(asGuest.text).not.toContain('@example.com');
  });
});
