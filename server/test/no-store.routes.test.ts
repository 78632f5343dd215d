// Cache-Control: no-store on every answer that carries a credential or what only the caller may see (auth flows
// with their tokens, OTP and MFA ids; impersonation; the settings API; any answer to a request with an
// Authorization header; a file fetched with a file token), set in one place (http/no-store.ts), and not on
// public answers (a guest's list, a public file keeps PocketBase's 30-day cache header).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, signUp, superuserToken, type Scenario } from './helpers/test-galley.ts';
import { selfServiceUsers } from './helpers/users-collection.ts';
import { startFilesGalley, type FilesGalley } from './files/harness.ts';
import { filesSchema } from './files/schema.ts';

let t: FilesGalley;
let alice = { id: '', token: '' };
let root = '';
let docId = '';
let fileToken = '';
let mfaId = '';

beforeAll(async () => {
  const schema = [
    ...filesSchema(),
    selfServiceUsers({ name: 'staff', otp: { enabled: true }, mfa: { enabled: true, duration: 600 } }),
  ];
  t = await startFilesGalley(schema);
  alice = await signUp(t, 'users', { email: 'alice@example.com' });
  root = await superuserToken(t);
  docId = (await t.call('POST', '/api/collections/docs/records', { body: { title: 'plans', owner: alice.id } })).json.id;
  await t.addFile('docs', docId, 'secret', 'plans.txt', 'the plans');
  await t.addFile('docs', docId, 'files', 'public.txt', 'for everyone');
  fileToken = (await t.call('POST', '/api/files/token', { auth: alice.token })).json.token;
  await t.call('POST', '/api/collections/staff/records', { body: { email: 'sam@example.com', password: 'password123', passwordConfirm: 'password123' }, auth: root });
  const first = await t.call('POST', '/api/collections/staff/auth-with-password', { body: { identity: 'sam@example.com', password: 'password123' } });
  expect(first.status).toBe(401);
  mfaId = first.json.mfaId;
}, 60_000);
afterAll(() => t?.close());

/** A scenario row and the Cache-Control header its answer must carry (null: none). */
type Row = Scenario & { as?: 'alice' | 'root'; cache: string | null };

const row = (name: string, method: string, path: string | (() => string), status: number, cache: string | null, extra: Partial<Row> = {}): Row => ({
  name,
  method,
  path,
  ip: '127.0.0.1',
  status,
  cache,
  check: (_json, res) => expect(res.headers.get('cache-control'), name).toBe(cache),
  ...extra,
});

const PUBLIC_FILE = 'max-age=2592000, stale-while-revalidate=86400';

const table: Row[] = [
  row('a guest’s public list is not marked', 'GET', '/api/collections/docs/records', 200, null),
  row('health is not marked', 'GET', '/api/health', 200, null),
  row('a signed-in caller’s list is not stored', 'GET', '/api/collections/docs/records', 200, 'no-store', { as: 'alice' }),
  row('a signed-in caller’s own record is not stored', 'GET', () => `/api/collections/users/records/${alice.id}`, 200, 'no-store', { as: 'alice' }),
  row('auth-with-password (token) is not stored', 'POST', '/api/collections/users/auth-with-password', 200, 'no-store', { body: { identity: 'alice@example.com', password: 'password123' } }),
  row('a failed sign-in is not stored either', 'POST', '/api/collections/users/auth-with-password', 400, 'no-store', { body: { identity: 'alice@example.com', password: 'wrong-password' } }),
  row('the MFA challenge (mfaId) is not stored', 'POST', '/api/collections/staff/auth-with-password', 401, 'no-store', { body: { identity: 'sam@example.com', password: 'password123' } }),
  row('request-otp (otpId) is not stored', 'POST', '/api/collections/staff/request-otp', 200, 'no-store', { body: { email: 'sam@example.com' } }),
  row('auth-with-otp is not stored', 'POST', '/api/collections/staff/auth-with-otp', 400, 'no-store', { body: { otpId: 'x', password: '123' } }),
  row('auth-refresh is not stored', 'POST', '/api/collections/users/auth-refresh', 200, 'no-store', { as: 'alice' }),
  row('auth-methods is not stored', 'GET', '/api/collections/users/auth-methods', 200, 'no-store'),
  row('impersonate is not stored', 'POST', () => `/api/collections/users/impersonate/${alice.id}`, 200, 'no-store', { as: 'root', body: {} }),
  row('a file token is not stored', 'POST', '/api/files/token', 200, 'no-store', { as: 'alice' }),
  row('GET /api/settings is not stored', 'GET', '/api/settings', 200, 'no-store', { as: 'root' }),
  row('PATCH /api/settings is not stored', 'PATCH', '/api/settings', 200, 'no-store', { as: 'root', body: {} }),
  row('a refused settings read is not stored', 'GET', '/api/settings', 401, 'no-store'),
  row('a public file keeps PocketBase’s cache header', 'GET', () => `/api/files/docs/${docId}/public.txt`, 200, PUBLIC_FILE),
  row('a protected file opened with a file token is not stored', 'GET', () => `/api/files/docs/${docId}/plans.txt?token=${fileToken}`, 200, 'no-store'),
  row('a file fetched with an Authorization header is not stored', 'GET', () => `/api/files/docs/${docId}/public.txt`, 200, 'no-store', { as: 'alice' }),
];

describe('Cache-Control: no-store', () => {
  it.each(table.map((r) => [r.name, r] as const))('%s', async (_name, r) => {
    await runScenario(t, r, { alice: alice.token, root });
  });

  it('the MFA second step with the mfaId is not stored', async () => {
    const otpId = (await t.call('POST', '/api/collections/staff/request-otp', { body: { email: 'sam@example.com' } })).json.otpId;
    const res = await t.call('POST', '/api/collections/staff/auth-with-otp', { body: { otpId, password: '00000000', mfaId } });
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});
