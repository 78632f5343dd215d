// Sessions: a token lives until its record's tokenKey turns over. Password changes, superuser password
// resets and Galley's "log out all sessions" (POST …/auth-logout-all) end every earlier token at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertSuperuser } from '../../src/index.ts';
import { signUp, superuserToken } from '../helpers/test-galley.ts';
import { authSchema, startAuthGalley, type AuthTestGalley } from './harness.ts';

let t: AuthTestGalley;
let root = '';
const users = '/api/collections/users';

beforeAll(async () => {
  t = await startAuthGalley([...authSchema() as object[], { name: 'staff', type: 'auth', createRule: '', fields: [] }]);
  root = await superuserToken(t);
}, 60_000);

afterAll(() => t?.close());

async function login(email: string, password = 'password123'): Promise<string> {
  const res = await t.call('POST', `${users}/auth-with-password`, { body: { identity: email, password } });
  if (res.status !== 200) throw new Error(res.text);
  return res.json.token;
}

/** True while the token still authenticates (view of one's own record + auth-refresh). */
async function alive(id: string, token: string, collection = 'users'): Promise<boolean> {
  const view = await t.call('GET', `/api/collections/${collection}/records/${id}`, { auth: token });
  const refresh = await t.call('POST', `/api/collections/${collection}/auth-refresh`, { auth: token });
  expect(view.status === 200, 'view and refresh agree').toBe(refresh.status === 200);
  return refresh.status === 200;
}

describe('log out all sessions', () => {
  it('a user ends all her sessions (every device, impersonation tokens too) at once; a new login works', async () => {
    const { id } = await signUp(t, 'users', { email: 'amy@example.com' });
    const phone = await login('amy@example.com');
    const laptop = await login('amy@example.com');
    const impersonated = (await t.call('POST', `${users}/impersonate/${id}`, { body: {}, auth: root })).json.token;
    for (const token of [phone, laptop, impersonated]) expect(await alive(id, token)).toBe(true);
    const res = await t.call('POST', `${users}/auth-logout-all`, { auth: phone });
    expect([res.status, res.text]).toEqual([204, '']);
    for (const token of [phone, laptop, impersonated]) expect(await alive(id, token)).toBe(false);
    expect(await alive(id, await login('amy@example.com'))).toBe(true);
  });

  it('a superuser ends the sessions of any record by id', async () => {
    const { id, token } = await signUp(t, 'users', { email: 'ben@example.com' });
    const res = await t.call('POST', `${users}/auth-logout-all`, { body: { recordId: id }, auth: root });
    expect(res.status, res.text).toBe(204);
    expect(await alive(id, token)).toBe(false);
  });

  it.each([
    ['a guest', () => ({ auth: null }), 401],
    ['a user naming another record', (o: Ctx) => ({ auth: o.token, body: { recordId: o.otherId } }), 403],
    ['a token of another auth collection without recordId', (o: Ctx) => ({ auth: o.staffToken }), 403],
    ['a superuser naming an unknown record', () => ({ auth: root, body: { recordId: 'nope' } }), 404],
    ['a recordId that is not a string', (o: Ctx) => ({ auth: o.token, body: { recordId: 5 } }), 400],
  ])('refuses %s', async (_name, make, status) => {
    const res = await t.call('POST', `${users}/auth-logout-all`, make(await context()));
    expect(res.status, res.text).toBe(status);
    const ctx = await context();
    expect(await alive(ctx.otherId, ctx.otherToken)).toBe(true);
  });

  it('naming one’s own id is the same as naming none', async () => {
    const { id, token } = await signUp(t, 'users', { email: 'own@example.com' });
    expect((await t.call('POST', `${users}/auth-logout-all`, { body: { recordId: id }, auth: token })).status).toBe(204);
    expect(await alive(id, token)).toBe(false);
  });
});

describe('tokenKey rotation ends sessions', () => {
  it('a password change through an update ends every earlier token of that user only', async () => {
    const a = await signUp(t, 'users', { email: 'pw@example.com' });
    const second = await login('pw@example.com');
    const bystander = await signUp(t, 'users', { email: 'by@example.com' });
    const res = await t.call('PATCH', `${users}/records/${a.id}`, { body: { password: 'password456', passwordConfirm: 'password456', oldPassword: 'password123' }, auth: a.token });
    expect(res.status, res.text).toBe(200);
    expect(await alive(a.id, a.token)).toBe(false);
    expect(await alive(a.id, second)).toBe(false);
    expect(await alive(bystander.id, bystander.token)).toBe(true);
  });

  it('`galley superuser upsert` with a new password ends that superuser’s sessions', async () => {
    const token = await superuserToken(t, 'second@example.com', 'secondpass1');
    const id = (await t.call('POST', '/api/collections/_superusers/auth-refresh', { auth: token })).json.record.id;
    expect(await alive(id, token, '_superusers')).toBe(true);
    await upsertSuperuser({ dir: t.dir, database: t.database }, 'second@example.com', 'secondpass2');
    expect(await alive(id, token, '_superusers')).toBe(false);
  });
});

interface Ctx {
  token: string;
  otherId: string;
  otherToken: string;
  staffToken: string;
}
let ctx: Ctx | undefined;
async function context(): Promise<Ctx> {
  if (ctx) return ctx;
  const me = await signUp(t, 'users', { email: 'ctx-me@example.com' });
  const other = await signUp(t, 'users', { email: 'ctx-other@example.com' });
  const staff = await signUp(t, 'staff', { email: 'ctx-staff@example.com' });
  ctx = { token: me.token, otherId: other.id, otherToken: other.token, staffToken: staff.token };
  return ctx;
}
