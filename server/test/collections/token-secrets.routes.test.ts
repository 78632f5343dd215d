// PocketBase's token `secret` options through the collections API (issue 15): accepted on create, update and
// import of auth collections, kept in the key store (never in the schema file, never answered), so tokens that
// PocketBase signed with those secrets verify; a secret PocketBase would refuse (30–255 characters) is a 400.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from '../helpers/scenario.ts';
import { startFileGalley, type FileGalley } from './harness.ts';

const SECRET = (c: string) => c.repeat(40);
const OPTIONS = {
  authToken: { secret: SECRET('a'), duration: 1209600 },
  passwordResetToken: { secret: SECRET('b'), duration: 1800 },
  emailChangeToken: { secret: SECRET('c'), duration: 1800 },
  verificationToken: { secret: SECRET('d'), duration: 259200 },
  fileToken: { secret: SECRET('e'), duration: 180 },
};

describe('token secrets on the collections API', () => {
  let g: FileGalley;
  const tokens: Record<string, string | null> = {};
  beforeAll(async () => {
    g = await startFileGalley({ collections: [{ name: 'posts', type: 'base', fields: [] }] }, { dev: true });
    tokens['root'] = g.root;
  });
  afterAll(() => g?.close());

  /** A token as PocketBase signs it: HS256 over the record's tokenKey + the collection's auth secret. */
  async function sign(collection: string, secret: string): Promise<string> {
    const c = g.galley.core.schema.findCollection(collection)!;
    const row = (await g.galley.core.db.read.selectFrom(c.name as never).selectAll().executeTakeFirst()) as { id: string; tokenKey: string };
    return new SignJWT({ id: row.id, type: 'auth', collectionId: c.id, refreshable: true })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(row.tokenKey + secret));
  }
  async function addRecord(collection: string): Promise<void> {
    const body = { email: `${collection}@example.com`, password: 'password123', passwordConfirm: 'password123' };
    const created = await g.call('POST', `/api/collections/${collection}/records`, { auth: g.root, body });
    expect(created.status, created.text).toBe(200);
  }
  const refreshStatus = async (collection: string, secret: string) => (await g.call('POST', `/api/collections/${collection}/auth-refresh`, { auth: await sign(collection, secret) })).status;
  const notInFile = () => expect(g.readText()).not.toContain(SECRET('a').slice(0, 30));

  const table: Scenario[] = [
    {
      name: 'create takes every secret, answers none and writes none to the schema file',
      method: 'POST', path: '/api/collections', as: 'root', status: 200,
      body: { name: 'members', type: 'auth', fields: [], ...OPTIONS },
      contains: ['"name":"members"', '"duration":1209600'],
      notContains: ['"secret"', SECRET('a')],
      check: async () => {
        notInFile();
        await addRecord('members');
        expect(await refreshStatus('members', SECRET('a'))).toBe(200);
        expect(await refreshStatus('members', SECRET('z'))).toBe(401);
      },
    },
    {
      name: 'update replaces the auth secret: the new one verifies',
      method: 'PATCH', path: '/api/collections/members', as: 'root', status: 200,
      body: { authToken: { secret: SECRET('f') } },
      notContains: ['"secret"'],
      check: async () => {
        expect(await refreshStatus('members', SECRET('f'))).toBe(200);
        expect(await refreshStatus('members', SECRET('a'))).toBe(401);
      },
    },
    {
      name: 'import of a PocketBase export with secrets: its tokens verify',
      method: 'PUT', path: '/api/collections/import', as: 'root', status: 204,
      body: { collections: [{ id: 'pbc_1234567890', name: 'clients', type: 'auth', fields: [], ...OPTIONS }] },
      check: async () => {
        notInFile();
        await addRecord('clients');
        expect(g.galley.core.schema.findCollection('clients')?.id).toBe('pbc_1234567890');
        expect(await refreshStatus('clients', SECRET('a'))).toBe(200);
      },
    },
    {
      name: 'a secret shorter than 30 characters is refused as PocketBase refuses it',
      method: 'POST', path: '/api/collections', as: 'root', status: 400,
      body: { name: 'short', type: 'auth', fields: [], authToken: { secret: 'tooshort' } },
      contains: ['"authToken":{"secret":{"code":"validation_length_out_of_range"'],
    },
    {
      name: 'the collection view never shows a secret',
      method: 'GET', path: '/api/collections/clients', as: 'root', status: 200,
      notContains: ['"secret"', SECRET('a')],
    },
  ];
  it.each(table)('$name', async (s) => {
    await runScenario(g, s, tokens);
  });
});
