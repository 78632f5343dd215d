// Issue 15, record writes as PocketBase's apis/record_crud_test.go and core validators expect: an auth create with an
// empty body names password AND passwordConfirm, an id another auth collection holds is refused, a record's id never
// changes through an update, superusers are stored verified (API create and update, installer, `superuser upsert`,
// rows written before, by a migration on start), the confirm routes' token codes, and a collections import with a bad token secret answers
// PocketBase's validation_collections_import_failure. One Galley for the table; the stored rows are read back.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertSuperuser } from '../src/auth/superusers.ts';
import { signEmailChangeToken, signPasswordResetToken, signVerificationToken } from '../src/auth/tokens.ts';
import { runScenario, type Scenario } from './helpers/scenario.ts';
import { startAuthGalley } from './auth/harness.ts';
import { startFileGalley, type FileGalley } from './collections/harness.ts';

const SCHEMA = [
  { name: 'users', type: 'auth', listRule: '', viewRule: '', createRule: '', updateRule: 'id = @request.auth.id', fields: [{ name: 'name', type: 'text' }] },
  { name: 'staff', type: 'auth', createRule: '', fields: [] },
  { name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '', fields: [{ name: 'title', type: 'text' }] },
];
const PW = { password: 'password123', passwordConfirm: 'password123' };
const GOOD_SECRET = 's'.repeat(40);

let t: FileGalley;
const tokens: Record<string, string | null> = { guest: null };
const ids: Record<string, string> = {};

const storedVerified = async (g: { galley: FileGalley['galley'] }, id: string) =>
  (await g.galley.core.db.read.selectFrom('_superusers').select('verified').where('id', '=', id).executeTakeFirstOrThrow())['verified'];

beforeAll(async () => {
  t = await startFileGalley({ collections: SCHEMA }, { dev: true }); // collections import needs a schema file
  tokens['root'] = t.root;
  const bob = await t.call('POST', '/api/collections/users/records', { body: { email: 'bob@example.com', ...PW } });
  const post = await t.call('POST', '/api/collections/posts/records', { body: { title: 'first' } });
  if (bob.status !== 200 || post.status !== 200) throw new Error(bob.text + post.text);
  ids['bob'] = bob.json.id;
  ids['post'] = post.json.id;
});
afterAll(() => t?.close());

describe('record writes as PocketBase answers them', () => {
  const table: Scenario[] = [
    {
      name: 'an auth create with an empty body names password and passwordConfirm as required',
      method: 'POST', path: '/api/collections/users/records', body: {}, status: 400,
      contains: ['"message":"Failed to create record."', '"password":{"code":"validation_required"', '"passwordConfirm":{"code":"validation_required"'],
      events: [],
    },
    {
      name: 'a password without its confirmation: passwordConfirm is required (not a mismatch)',
      method: 'POST', path: '/api/collections/users/records', body: { email: 'x@example.com', password: 'password123' }, status: 400,
      contains: ['"passwordConfirm":{"code":"validation_required"'], notContains: ['"password":{'], events: [],
    },
    {
      name: 'a confirmation that differs is a mismatch',
      method: 'POST', path: '/api/collections/users/records', body: { email: 'x@example.com', password: 'password123', passwordConfirm: 'password124' }, status: 400,
      contains: ['"passwordConfirm":{"code":"validation_values_mismatch"'], events: [],
    },
    {
      name: 'an update with only a confirmation names password as required',
      method: 'PATCH', path: () => `/api/collections/users/records/${ids['bob']}`, as: 'root', body: { passwordConfirm: 'password999' }, status: 400,
      contains: ['"password":{"code":"validation_required"', '"passwordConfirm":{"code":"validation_values_mismatch"'], events: [],
    },
    {
      name: 'auth form errors come first: the record fields are not checked until the form passes (create)',
      method: 'POST', path: '/api/collections/users/records', body: { password: '1234567', passwordConfirm: '1234560', email: 'invalid' }, status: 400,
      contains: ['"passwordConfirm":{"code":"validation_values_mismatch"'], notContains: ['"email":', '"password":{'], events: [],
    },
    {
      name: 'auth form errors come first on update too (no email or id issue beside them)',
      method: 'PATCH', path: () => `/api/collections/users/records/${ids['bob']}`, as: 'root', body: { password: '', passwordConfirm: '1234560', email: 'invalid', id: 'zzzzzzzzzzzzzzz' }, status: 400,
      contains: ['"passwordConfirm":{', '"password":{'], notContains: ['"email":', '"id":'], events: [],
    },
    {
      name: 'a custom id held by a record of another auth collection is refused on create',
      method: 'POST', path: '/api/collections/staff/records', body: () => ({ id: ids['bob'], email: 's@example.com', ...PW }), status: 400,
      contains: ['"message":"Failed to create record."', '"id":{"code":"validation_invalid_auth_id","message":"Invalid or duplicated auth record id."}'],
      events: [],
    },
    {
      name: "changing a base record's id through an update is refused",
      method: 'PATCH', path: () => `/api/collections/posts/records/${ids['post']}`, body: { id: 'mk5fmymtx4wspra' }, status: 400,
      contains: ['"message":"Failed to update record."', '"id":{"code":"validation_pk_change","message":"The record primary key cannot be changed."}'],
      events: [],
    },
    {
      name: "changing an auth record's id is refused, to a superuser too",
      method: 'PATCH', path: () => `/api/collections/users/records/${ids['bob']}`, as: 'root', body: { id: 'aaaaaaaaaaaaaaa', name: 'Bobby' }, status: 400,
      contains: ['"id":{"code":"validation_pk_change"'], events: [],
    },
    {
      name: 'the same id in an update body is no change, and passes',
      method: 'PATCH', path: () => `/api/collections/posts/records/${ids['post']}`, body: () => ({ id: ids['post'], title: 'renamed' }), status: 200,
      contains: ['"title":"renamed"'], events: ['update:posts'],
    },
    {
      name: 'a superuser created with verified: false is stored verified',
      method: 'POST', path: '/api/collections/_superusers/records', as: 'root', body: { email: 'second@example.com', verified: false, ...PW }, status: 200,
      contains: ['"verified":true'], events: ['create:_superusers'],
      check: async (j) => {
        ids['second'] = j.id;
        expect(await storedVerified(t, j.id)).toBe(1);
      },
    },
    {
      name: 'a superuser updated with verified: false stays stored verified',
      method: 'PATCH', path: () => `/api/collections/_superusers/records/${ids['second']}`, as: 'root', body: { verified: false }, status: 200,
      contains: ['"verified":true'], events: ['update:_superusers'],
      check: async () => expect(await storedVerified(t, ids['second']!)).toBe(1),
    },
    {
      name: 'a collections import with a token secret PocketBase refuses answers its import failure, nothing imported',
      method: 'PUT', path: '/api/collections/import', as: 'root', status: 400,
      body: { collections: [{ name: 'members', type: 'auth', fields: [], authToken: { secret: 'short', duration: 604800 } }] },
      contains: ['"message":"Failed to import collections."', '"collections":{"code":"validation_collections_import_failure"', 'Data validations failed for collection \\"members\\"', 'authToken', 'secret'],
      notContains: ['"authToken":{"secret":{"code"'],
      check: () => expect(t.galley.core.schema.findCollection('members')).toBeUndefined(),
    },
    {
      name: 'the same import with a secret of 30+ characters goes in',
      method: 'PUT', path: '/api/collections/import', as: 'root', status: 204,
      body: () => ({ collections: [{ name: 'members', type: 'auth', fields: [], authToken: { secret: GOOD_SECRET, duration: 604800 } }] }),
      check: () => expect(t.galley.core.schema.findCollection('members')?.type).toBe('auth'),
    },
  ];
  it.each(table)('$name', async (s) => {
    await runScenario(t, s, tokens);
  });

  // the auth flows' token codes, as apis/record_auth_*_confirm_test.go expect them
  const staffRow = async () => {
    const made = await t.call('POST', '/api/collections/staff/records', { body: { email: `st${Date.now()}@example.com`, ...PW } });
    expect(made.status, made.text).toBe(200);
    return t.galley.core.db.read.selectFrom('staff').selectAll().where('id', '=', made.json.id).executeTakeFirstOrThrow();
  };
  const staff = () => t.galley.core.schema.findCollection('staff')!;
  const tokenTable: Array<Scenario & { token: () => Promise<string>; route: string; extra?: Record<string, unknown> }> = [
    {
      name: 'a password-reset token of another auth collection: validation_token_collection_mismatch',
      route: 'confirm-password-reset', token: async () => signPasswordResetToken(t.galley.core, staff(), await staffRow()), extra: PW,
      method: 'POST', path: '/api/collections/users/confirm-password-reset', status: 400,
      contains: ['"token":{"code":"validation_token_collection_mismatch","message":"The provided token is for different auth collection."}'],
    },
    {
      name: 'a verification token of another auth collection: validation_token_collection_mismatch',
      route: 'confirm-verification', token: async () => signVerificationToken(t.galley.core, staff(), await staffRow()),
      method: 'POST', path: '/api/collections/users/confirm-verification', status: 400,
      contains: ['"token":{"code":"validation_token_collection_mismatch"'],
    },
    {
      name: 'an email-change token of another auth collection: validation_token_collection_mismatch',
      route: 'confirm-email-change', token: async () => signEmailChangeToken(t.galley.core, staff(), await staffRow(), 'moved@example.com'), extra: { password: PW.password },
      method: 'POST', path: '/api/collections/users/confirm-email-change', status: 400,
      contains: ['"token":{"code":"validation_token_collection_mismatch"'],
    },
    {
      name: 'a token without newEmail on confirm-email-change: validation_invalid_token_payload',
      route: 'confirm-email-change', token: async () => signVerificationToken(t.galley.core, staff(), await staffRow()), extra: { password: PW.password },
      method: 'POST', path: '/api/collections/staff/confirm-email-change', status: 400,
      contains: ['"token":{"code":"validation_invalid_token_payload","message":"Invalid token payload - newEmail must be set."}'],
    },
  ];
  it.each(tokenTable)('$name', async (s) => {
    const token = await s.token();
    await runScenario(t, { ...s, body: { token, ...s.extra } }, tokens);
  });


  it('the installer and `galley superuser upsert` store superusers verified; older unverified rows are marked on start', async () => {
    const g = await startAuthGalley(SCHEMA);
    const dir = g.dir;
    let current = g;
    try {
      // the installer (no superuser yet)
      const { token } = g.galley.core.installer.issueToken();
      const installed = await g.call('POST', '/api/galley/installer', { body: { token, email: 'first@example.com', ...PW } });
      expect(installed.status, installed.text).toBe(200);
      expect(await storedVerified(g, installed.json.id)).toBe(1);
      // rows written unverified before (by hand, or by an older Galley): the migration on start marks them
      await g.galley.core.db.writer.run((tx) => tx.db.updateTable('_superusers').set({ verified: 0 }).execute());
      await g.galley.close();
      current = await startAuthGalley(SCHEMA, { dir });
      expect(await storedVerified(current, installed.json.id)).toBe(1);
      // `superuser upsert`: a new one, and a new password for an existing one, leave them verified
      await upsertSuperuser({ dir, database: current.database }, 'third@example.com', 'rootpass789');
      await upsertSuperuser({ dir, database: current.database }, 'first@example.com', 'rootpass456');
      const rows = await current.galley.core.db.read.selectFrom('_superusers').select(['email', 'verified']).orderBy('email').execute();
      expect(rows).toEqual([
        { email: 'first@example.com', verified: 1 },
        { email: 'third@example.com', verified: 1 },
      ]);
    } finally {
      await current.galley.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
