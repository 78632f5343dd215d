// Protected files: POST /api/files/token, and ?token= checked against the view rule on download.
// wire: PocketBase answers every refused protected download with the same 404 as a missing file.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRecordToken } from '../../src/auth/tokens.ts';
import { signUp, superuserToken } from '../helpers/test-galley.ts';
import { startFilesGalley, type FilesGalley } from './harness.ts';
import { filesSchema } from './schema.ts';

const NOT_FOUND = { data: {}, message: "The requested resource wasn't found.", status: 404 };

let t: FilesGalley;
let alice: { id: string; token: string };
let bob: { id: string; token: string };
let docId: string;
let rootAuth: string;

async function fileTokenFor(authToken: string): Promise<string> {
  const res = await t.call('POST', '/api/files/token', { auth: authToken });
  expect(res.status).toBe(200);
  return res.json.token;
}

beforeAll(async () => {
  t = await startFilesGalley(filesSchema());
  alice = await signUp(t, 'users', { email: 'alice@example.com' });
  bob = await signUp(t, 'users', { email: 'bob@example.com' });
  rootAuth = await superuserToken(t);
  docId = (await t.call('POST', '/api/collections/docs/records', { body: { title: 'secret plans', owner: alice.id } })).json.id;
  await t.addFile('docs', docId, 'secret', 'plans.txt', 'the plans');
  await t.addFile('docs', docId, 'files', 'public.txt', 'for everyone');
});
afterAll(() => t.close());

const secretUrl = (token?: string) => `/api/files/docs/${docId}/plans.txt${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;

describe('POST /api/files/token', () => {
  it('refuses a guest with 401', async () => {
    const res = await t.call('POST', '/api/files/token');
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ status: 401, data: {} });
  });

  it('refuses a file token used as an auth token', async () => {
    const fileToken = await fileTokenFor(alice.token);
    expect((await t.call('POST', '/api/files/token', { auth: fileToken })).status).toBe(401);
  });

  it("gives an auth record a short-lived token of type file with PocketBase's claims", async () => {
    const res = await t.call('POST', '/api/files/token', { auth: alice.token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['token']);
    const claims = decodeJwt(res.json.token);
    const users = t.galley.core.schema.findCollection('users')!;
    expect(claims).toMatchObject({ id: alice.id, type: 'file', collectionId: users.id });
    // wire: the default fileToken duration is 180 s
    const left = claims.exp! - Math.floor(Date.now() / 1000);
    expect(left).toBeGreaterThan(170);
    expect(left).toBeLessThanOrEqual(180);
  });

  it('gives a superuser a token too', async () => {
    const claims = decodeJwt(await fileTokenFor(rootAuth));
    expect(claims['type']).toBe('file');
    expect(claims['collectionId']).toBe(t.galley.core.schema.findCollection('_superusers')!.id);
  });
});

describe('downloading a protected file', () => {
  it("serves it with the owner's file token", async () => {
    const res = await t.fetchFile(secretUrl(await fileTokenFor(alice.token)));
    expect(res.status).toBe(200);
    expect(res.text).toBe('the plans');
  });

  it("serves it with a superuser's file token", async () => {
    expect((await t.fetchFile(secretUrl(await fileTokenFor(rootAuth)))).status).toBe(200);
  });

  it('serves its thumb sizes under the same check (a text file falls back to itself)', async () => {
    const token = await fileTokenFor(alice.token);
    expect((await t.fetchFile(secretUrl(token) + '&thumb=50x50')).text).toBe('the plans');
    expect((await t.fetchFile(`/api/files/docs/${docId}/plans.txt?thumb=50x50`)).status).toBe(404);
  });

  it('leaves public fields of the same record open to anyone', async () => {
    const res = await t.fetchFile(`/api/files/docs/${docId}/public.txt`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('for everyone');
  });

  const refusals: Array<{ name: string; token: () => Promise<string | undefined>; headers?: () => Record<string, string> }> = [
    { name: 'no token', token: async () => undefined },
    { name: 'an empty token', token: async () => '' },
    { name: 'garbage', token: async () => 'not-a-jwt' },
    { name: "another user's file token (the view rule says no)", token: () => fileTokenFor(bob.token) },
    { name: "the owner's auth token instead of a file token", token: async () => alice.token },
    {
      name: 'an expired file token',
      token: async () => {
        const core = t.galley.core;
        const users = core.schema.findCollection('users')!;
        const row = await core.db.read.selectFrom('users').selectAll().where('id', '=', alice.id).executeTakeFirstOrThrow();
        return signRecordToken(core, users, row, 'file', -5);
      },
    },
    {
      name: 'a file token signed with the wrong key',
      token: async () => {
        const core = t.galley.core;
        const users = core.schema.findCollection('users')!;
        return signRecordToken(core, users, { id: alice.id, tokenKey: 'someone-elses-key' }, 'file', 180);
      },
    },
    {
      name: 'a token of another type (verification) for the owner',
      token: async () => {
        const core = t.galley.core;
        const users = core.schema.findCollection('users')!;
        const row = await core.db.read.selectFrom('users').selectAll().where('id', '=', alice.id).executeTakeFirstOrThrow();
        return signRecordToken(core, users, row, 'verification', 180);
      },
    },
    { name: "the owner's Authorization header without a file token", token: async () => undefined, headers: () => ({ authorization: alice.token }) },
  ];
  it.each(refusals)('answers 404 for $name', async ({ token, headers }) => {
    const res = await t.fetchFile(secretUrl(await token()), { headers: headers?.() });
    expect(res.status).toBe(404);
    expect(res.json).toEqual(NOT_FOUND);
  });

  it('stops honouring a file token once its record logs out everywhere (tokenKey turned over)', async () => {
    const carol = await signUp(t, 'users', { email: 'carol@example.com' });
    const carolDoc = (await t.call('POST', '/api/collections/docs/records', { body: { title: 'c', owner: carol.id } })).json.id;
    await t.addFile('docs', carolDoc, 'secret', 'c.txt', 'carol only');
    const token = await fileTokenFor(carol.token);
    expect((await t.fetchFile(`/api/files/docs/${carolDoc}/c.txt?token=${token}`)).status).toBe(200);
    expect((await t.call('POST', '/api/collections/users/auth-logout-all', { auth: carol.token })).status).toBeLessThan(300);
    expect((await t.fetchFile(`/api/files/docs/${carolDoc}/c.txt?token=${token}`)).status).toBe(404);
  });

  it('denies everyone but superusers when the view rule is null', async () => {
    const core = t.galley.core;
    await core.db.writer.run((tx) => tx.db.insertInto('vault').values({ id: 'vaultprotected1', title: 'v', open: '', locked: '' }).execute());
    await t.addFile('vault', 'vaultprotected1', 'locked', 'l.txt', 'locked away');
    expect((await t.fetchFile(`/api/files/vault/vaultprotected1/l.txt?token=${await fileTokenFor(alice.token)}`)).status).toBe(404);
    const res = await t.fetchFile(`/api/files/vault/vaultprotected1/l.txt?token=${await fileTokenFor(rootAuth)}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('locked away');
  });
});
