// A tamper corpus: every variant of a real token an attacker could make (or one signed right but of the wrong
// kind) is a guest: 401 on auth-refresh, 401 on a superuser route, 404 on the record its owner may view.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signEmailChangeToken, signPasswordResetToken, signRecordToken, signVerificationToken } from '../../src/auth/tokens.ts';
import type { TokenType } from '../../src/core.ts';
import { signUp, superuserToken } from '../helpers/test-galley.ts';
import { authSchema, startAuthGalley, type AuthTestGalley } from './harness.ts';

let t: AuthTestGalley;
let alice: { id: string; token: string };
let bob: { id: string; token: string };
let staff: { id: string; token: string };
let root = '';
let deleted = '';
let loggedOut = '';
const variants: Array<[string, () => Promise<string> | string]> = [];

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const parts = (token: string) => token.split('.') as [string, string, string];
const withHeader = (token: string, header: object) => [b64(JSON.stringify(header)), parts(token)[1], parts(token)[2]].join('.');
const withPayload = (token: string, patch: Record<string, unknown>) => {
  const [h, p, s] = parts(token);
  return [h, b64(JSON.stringify({ ...json(p), ...patch })), s].join('.');
};
const flipChar = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

async function row(collection: string, id: string): Promise<Record<string, unknown>> {
  return (await t.galley.core.db.read.selectFrom(collection).selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as Record<string, unknown>;
}

/** Signs with the key Galley would use for (record, type) — to prove the alg pin and the claim checks. */
async function signWithRealKey(
  claims: Record<string, unknown>,
  opts: { alg?: string; type?: TokenType; keyOf?: { collection: string; id: string }; header?: Record<string, unknown>; exp?: number | null } = {},
): Promise<string> {
  const owner = opts.keyOf ?? { collection: 'users', id: alice.id };
  const collection = t.galley.core.schema.findCollection(owner.collection)!;
  const key = String((await row(owner.collection, owner.id))['tokenKey']) + t.galley.core.secrets.tokenSecret(collection.id, opts.type ?? 'auth');
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? 'HS256', typ: 'JWT', ...opts.header });
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 3600);
  return jwt.sign(new TextEncoder().encode(key));
}

const usersId = () => t.galley.core.schema.findCollection('users')!.id;
const staffId = () => t.galley.core.schema.findCollection('staff')!.id;
const aliceClaims = () => ({ id: alice.id, type: 'auth', collectionId: usersId(), refreshable: true });

beforeAll(async () => {
  t = await startAuthGalley([...(authSchema() as object[]), { name: 'staff', type: 'auth', createRule: '', fields: [] }]);
  root = await superuserToken(t);
  alice = await signUp(t, 'users', { email: 'alice@example.com' });
  bob = await signUp(t, 'users', { email: 'bob@example.com' });
  staff = await signUp(t, 'staff', { email: 'staff@example.com' });
  const gone = await signUp(t, 'users', { email: 'gone@example.com' });
  deleted = gone.token;
  expect((await t.call('DELETE', `/api/collections/users/records/${gone.id}`, { auth: root })).status).toBe(204);
  const out = await signUp(t, 'users', { email: 'out@example.com' });
  loggedOut = out.token;
  expect((await t.call('POST', '/api/collections/users/auth-logout-all', { auth: out.token })).status).toBe(204);
}, 60_000);

afterAll(() => t?.close());

const T = () => alice.token;
const add = (name: string, make: () => Promise<string> | string) => variants.push([name, make]);

// --- alg games
add('alg none, no signature', () => [b64('{"alg":"none","typ":"JWT"}'), parts(T())[1], ''].join('.'));
add('alg none, original signature kept', () => withHeader(T(), { alg: 'none', typ: 'JWT' }));
add('alg "None"', () => [b64('{"alg":"None","typ":"JWT"}'), parts(T())[1], ''].join('.'));
add('alg "NONE"', () => [b64('{"alg":"NONE"}'), parts(T())[1], ''].join('.'));
add('alg none without typ, trailing dot dropped', () => [b64('{"alg":"none"}'), parts(T())[1]].join('.'));
add('HS512 signed with the right key (alg pinned)', () => signWithRealKey(aliceClaims(), { alg: 'HS512' }));
add('HS384 signed with the right key (alg pinned)', () => signWithRealKey(aliceClaims(), { alg: 'HS384' }));
add('RS256 header, HS256 signature', () => withHeader(T(), { alg: 'RS256', typ: 'JWT' }));
add('ES256 header, HS256 signature', () => withHeader(T(), { alg: 'ES256', typ: 'JWT' }));
add('PS256 header with an embedded jwk', () => withHeader(T(), { alg: 'PS256', jwk: { kty: 'oct', k: b64('attacker') } }));
add('header without alg', () => withHeader(T(), { typ: 'JWT' }));
add('header that is not JSON', () => ['bm90IGpzb24', parts(T())[1], parts(T())[2]].join('.'));
add('header with the same alg but reordered keys (signature no longer covers it)', () => withHeader(T(), { typ: 'JWT', alg: 'HS256' }));
add('b64:false in crit, signed with the right key', () => signWithRealKey(aliceClaims(), { header: { b64: false, crit: ['b64'] } }).catch(() => 'x.y.z'));
add('unknown crit header, signed with the right key', () => signWithRealKey(aliceClaims(), { header: { crit: ['galley'], galley: 1 } }).catch(() => 'x.y.z'));
// --- payload edits under the original signature
add('id changed to another user', () => withPayload(T(), { id: bob.id }));
add('id changed to a superuser', async () => withPayload(T(), { id: (await t.call('POST', '/api/collections/_superusers/auth-refresh', { auth: root })).json.record.id }));
add('collectionId changed to _superusers', () => withPayload(T(), { collectionId: 'pbc_3142635823' }));
add('collectionId changed to another auth collection', () => withPayload(T(), { collectionId: staffId() }));
add('collectionId given as a name instead of an id', () => withPayload(T(), { collectionId: 'users' }));
add('type changed to file', () => withPayload(T(), { type: 'file' }));
add('type changed to "Auth"', () => withPayload(T(), { type: 'Auth' }));
add('exp pushed far into the future', () => withPayload(T(), { exp: 9999999999 }));
add('exp removed', () => {
  const [h, p, s] = parts(T());
  const { exp: _exp, ...rest } = json(p);
  return [h, b64(JSON.stringify(rest)), s].join('.');
});
add('refreshable flipped', () => withPayload(T(), { refreshable: false }));
add('an extra claim added', () => withPayload(T(), { role: 'admin' }));
add('id as a number', () => withPayload(T(), { id: 1 }));
add('id as an array', () => withPayload(T(), { id: [alice.id] }));
add('collectionId null', () => withPayload(T(), { collectionId: null }));
add('payload that is not JSON', () => [parts(T())[0], 'bm90IGpzb24', parts(T())[2]].join('.'));
add('payload duplicated id keys', () => [parts(T())[0], b64(`{"id":"${bob.id}","id":"${alice.id}","type":"auth","collectionId":"${usersId()}","exp":9999999999}`), parts(T())[2]].join('.'));
// --- wrong keys
add('signed with a random secret', () => new SignJWT(aliceClaims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setExpirationTime('1h').sign(new TextEncoder().encode('attacker-secret-attacker-secret-00')));
add('signed with an empty key', () => new SignJWT(aliceClaims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setExpirationTime('1h').sign(new Uint8Array(0)).catch(() => 'x.y.z'));
add('signed with the tokenKey alone', async () => new SignJWT(aliceClaims()).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(String((await row('users', alice.id))['tokenKey']))));
add('signed with the collection secret alone', () => new SignJWT(aliceClaims()).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(t.galley.core.secrets.tokenSecret(usersId(), 'auth'))));
add("signed with another user's tokenKey", () => signWithRealKey(aliceClaims(), { keyOf: { collection: 'users', id: bob.id } }));
add('auth claims signed with the verification secret', () => signWithRealKey(aliceClaims(), { type: 'verification' }));
add('auth claims signed with the file secret', () => signWithRealKey(aliceClaims(), { type: 'file' }));
add("another collection's key, claims pointing here", () => signWithRealKey({ ...aliceClaims(), id: staff.id }, { keyOf: { collection: 'staff', id: staff.id } }));
add("a staff token's claims moved to users (same id)", () => withPayload(staff.token, { collectionId: usersId() }));
add('right key, right claims, but the record lives in another collection', () => signWithRealKey({ ...aliceClaims(), collectionId: staffId() }));
// --- time
add('expired a second ago (right key)', () => signWithRealKey(aliceClaims(), { exp: Math.floor(Date.now() / 1000) - 1 }));
add('expired an hour ago (right key)', () => signWithRealKey(aliceClaims(), { exp: Math.floor(Date.now() / 1000) - 3600 }));
add('not valid before next year (right key)', () => signWithRealKey({ ...aliceClaims(), nbf: Math.floor(Date.now() / 1000) + 31536000 }));
add('exp as a string (right key)', () => signWithRealKey({ ...aliceClaims(), exp: '9999999999' }, { exp: null }));
// --- type confusion: real tokens of other kinds
add('a real verification token', async () => signVerificationToken(t.galley.core, t.galley.core.schema.findCollection('users')!, await row('users', alice.id)));
add('a real password reset token', async () => signPasswordResetToken(t.galley.core, t.galley.core.schema.findCollection('users')!, await row('users', alice.id)));
add('a real email change token', async () => signEmailChangeToken(t.galley.core, t.galley.core.schema.findCollection('users')!, await row('users', alice.id), 'x@example.com'));
add('a real file token', async () => signRecordToken(t.galley.core, t.galley.core.schema.findCollection('users')!, await row('users', alice.id), 'file', 180));
add('a verification token relabelled type=auth', async () => {
  const v = await signVerificationToken(t.galley.core, t.galley.core.schema.findCollection('users')!, await row('users', alice.id));
  return withPayload(v, { type: 'auth' });
});
// --- dead records and sessions
add('the token of a deleted record', () => deleted);
add('a token from before "log out all sessions"', () => loggedOut);
// --- framing
add('signature truncated by one character', () => T().slice(0, -1));
add('signature removed', () => parts(T()).slice(0, 2).join('.') + '.');
add('signature changed in its first character', () => { const [h, p, s] = parts(T()); return [h, p, flipChar(s, 0)].join('.'); });
add('only two segments', () => parts(T()).slice(0, 2).join('.'));
add('only the header', () => parts(T())[0]);
add('an extra segment', () => T() + '.extra');
add('a trailing dot', () => T() + '.');
add('a leading dot', () => '.' + T());
add('five segments (JWE-shaped)', () => `${parts(T())[0]}..${parts(T())[1]}.${parts(T())[2]}.tag`);
add('standard base64 padding in the payload', () => { const [h, p, s] = parts(T()); return [h, p + '==', s].join('.'); });
add('a space inside the payload', () => { const [h, p, s] = parts(T()); return [h, p.slice(0, 10) + ' ' + p.slice(10), s].join('.'); });
add('a tab inside the signature', () => { const [h, p, s] = parts(T()); return [h, p, s.slice(0, 5) + '\t' + s.slice(5)].join('.'); });
add('two spaces after Bearer', () => 'Bearer  ' + T());
add('a tab after Bearer', () => 'Bearer\t' + T());
add('Bearer twice', () => 'Bearer Bearer ' + T());
add('Bearer without a space', () => 'Bearer' + T());
add('another scheme: Token', () => 'Token ' + T());
add('another scheme: Basic', () => 'Basic ' + T());
add('a latin-1 character appended', () => T() + 'é');
add('8 KB of padding appended', () => T() + 'A'.repeat(8192));
add('the literal "null"', () => 'null');
add('an empty JSON object', () => '{}');

describe('token tamper corpus', () => {
  it('has at least 50 variants', () => {
    expect(variants.length).toBeGreaterThanOrEqual(50);
  });

  it('controls: the real token, a right-key re-signing and bearer in any case authenticate (so the checks below can fail)', async () => {
    for (const token of [T(), await signWithRealKey(aliceClaims()), 'Bearer ' + T(), 'bearer ' + T(), 'BEARER ' + T()]) {
      expect((await t.call('POST', '/api/collections/users/auth-refresh', { auth: token })).status).toBe(200);
      expect((await t.call('GET', `/api/collections/users/records/${alice.id}`, { auth: token })).status).toBe(200);
    }
    expect((await t.call('GET', '/api/settings', { auth: root })).status).toBe(200);
  });

  it.each(variants.map(([name, make]) => ({ name, make })))('$name → guest', async ({ make }) => {
    const token = await make();
    const refresh = await t.call('POST', '/api/collections/users/auth-refresh', { auth: token });
    expect(refresh.status, refresh.text).toBe(401);
    expect((await t.call('GET', `/api/collections/users/records/${alice.id}`, { auth: token })).status).toBe(404);
    expect((await t.call('GET', '/api/settings', { auth: token })).status).toBe(401);
    expect((await t.call('POST', '/api/collections/_superusers/auth-refresh', { auth: token })).status).toBe(401);
  });
});
