// The rows of _externalAuths, _otps, _mfas and _authOrigins that point at an auth record live and die with it
// in the record's own write (wire: PocketBase's recordRefHooks): record delete, truncate, collection drop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPasswordResetToken } from '../../src/auth/tokens.ts';
import { migrateDatabase } from '../../src/db/migrate/migrate-database.ts';
import { upsertSuperuser } from '../../src/index.ts';
import { newRecordId } from '../../src/lib/ids.ts';
import { loadSchema } from '../../src/schema/load.ts';
import { superuserToken } from '../helpers/test-galley.ts';
import { startAuthGalley, type AuthTestGalley } from './harness.ts';

const TABLES = ['_externalAuths', '_otps', '_mfas', '_authOrigins'] as const;

const authCollection = (name: string) => ({
  name,
  type: 'auth',
  listRule: 'id = @request.auth.id',
  viewRule: 'id = @request.auth.id',
  createRule: '',
  updateRule: 'id = @request.auth.id',
  deleteRule: 'id = @request.auth.id',
  // no login-origin rows of its own: the tests count the seeded ones
  authAlert: { enabled: false },
  fields: [{ name: 'name', type: 'text' }],
});

const schema = [
  // staff manage users (manageRule)
  { ...authCollection('users'), updateRule: "id = @request.auth.id || @request.auth.collectionName = 'staff'", manageRule: "@request.auth.collectionName = 'staff'" },
  authCollection('staff'),
  {
    name: 'posts',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: '',
    // a required reference without cascade: deleting its author fails
    fields: [{ name: 'author', type: 'relation', collectionId: 'users', maxSelect: 1, required: true }],
  },
];

let t: AuthTestGalley;
let root = '';

beforeAll(async () => {
  t = await startAuthGalley(schema);
  root = await superuserToken(t);
}, 60_000);
afterAll(() => t?.close());

async function createUser(collection: string, email: string): Promise<{ id: string; token: string }> {
  const created = await t.call('POST', `/api/collections/${collection}/records`, { body: { email, password: 'password123', passwordConfirm: 'password123' } });
  if (created.status !== 200) throw new Error(created.text);
  const auth = await t.call('POST', `/api/collections/${collection}/auth-with-password`, { body: { identity: email, password: 'password123' } });
  return { id: created.json.id, token: auth.json.token };
}

const collectionId = (name: string) => t.galley.core.schema.findCollection(name)!.id;

/** One row in each system collection for the record. */
async function seedRefs(collection: string, recordId: string): Promise<void> {
  const now = '2024-01-01 00:00:00.000Z';
  const refs = { collectionRef: collectionId(collection), recordRef: recordId, created: now, updated: now };
  await t.galley.core.db.writer.run(async (tx) => {
    await tx.db.insertInto('_externalAuths').values({ id: newRecordId(), ...refs, provider: 'oidc', providerId: `sub-${recordId}` }).execute();
    await tx.db.insertInto('_otps').values({ id: newRecordId(), ...refs, password: 'x', sentTo: 'a@example.com' }).execute();
    await tx.db.insertInto('_mfas').values({ id: newRecordId(), ...refs, method: 'password' }).execute();
    await tx.db.insertInto('_authOrigins').values({ id: newRecordId(), ...refs, fingerprint: `fp-${recordId}` }).execute();
  });
}

/** How many rows of each system collection point at the record. */
async function countRefs(collection: string, recordId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const rows = await t.galley.core.db.read.selectFrom(table).select('id').where('collectionRef', '=', collectionId(collection)).where('recordRef', '=', recordId).execute();
    out[table] = rows.length;
  }
  return out;
}

const ALL = { _externalAuths: 1, _otps: 1, _mfas: 1, _authOrigins: 1 };
const NONE = { _externalAuths: 0, _otps: 0, _mfas: 0, _authOrigins: 0 };

describe('record delete', () => {
  it('takes every system row of the record along, in the same commit; other records keep theirs', async () => {
    const ann = await createUser('users', 'ann@example.com');
    const bob = await createUser('users', 'bob@example.com');
    await seedRefs('users', ann.id);
    await seedRefs('users', bob.id);
    // read as the delete event leaves (after commit): the links must already be gone
    let atEvent: Promise<unknown[]> | undefined;
    const off = t.galley.core.hooks.onRecord((e) => {
      if (e.collection.name === 'users' && e.action === 'delete') {
        atEvent = t.galley.core.db.read.selectFrom('_externalAuths').select('id').where('recordRef', '=', ann.id).execute();
      }
    });
    const deletedRefs: string[] = [];
    const offRefs = t.galley.core.hooks.onRecord((e) => {
      if (e.action === 'delete' && e.collection.name.startsWith('_')) deletedRefs.push(e.collection.name);
    });
    try {
      const res = await t.call('DELETE', `/api/collections/users/records/${ann.id}`, { auth: ann.token });
      expect(res.status, res.text).toBe(204);
      expect(await atEvent).toEqual([]);
    } finally {
      off();
      offRefs();
    }
    expect(await countRefs('users', ann.id)).toEqual(NONE);
    expect(await countRefs('users', bob.id)).toEqual(ALL);
    expect(deletedRefs.sort()).toEqual([...TABLES].sort());
  });

  it('a delete that fails (required reference) keeps the record and all its rows', async () => {
    const cid = await createUser('users', 'cid@example.com');
    await seedRefs('users', cid.id);
    expect((await t.call('POST', '/api/collections/posts/records', { body: { author: cid.id } })).status).toBe(200);
    const res = await t.call('DELETE', `/api/collections/users/records/${cid.id}`, { auth: cid.token });
    expect(res.status).toBe(400);
    expect(await countRefs('users', cid.id)).toEqual(ALL);
  });

  it('a superuser deleting a record of another auth collection removes that record’s rows only', async () => {
    const sue = await createUser('staff', 'sue@example.com');
    const dan = await createUser('users', 'dan@example.com');
    await seedRefs('staff', sue.id);
    await seedRefs('users', dan.id);
    expect((await t.call('DELETE', `/api/collections/staff/records/${sue.id}`, { auth: root })).status).toBe(204);
    expect(await countRefs('staff', sue.id)).toEqual(NONE);
    expect(await countRefs('users', dan.id)).toEqual(ALL);
  });
});

describe('password and tokenKey changes', () => {
  const stored = async (id: string) =>
    (await t.galley.core.db.read.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as Record<string, unknown>;
  // wire: a new password ends MFA sessions and login origins; the tokenKey it turns over ends OTP codes; links stay
  const AFTER_PASSWORD = { _externalAuths: 1, _otps: 0, _mfas: 0, _authOrigins: 0 };
  const update = (id: string, body: Record<string, unknown>, auth: string) => t.call('PATCH', `/api/collections/users/records/${id}`, { body, auth });

  it('the owner changing the password with oldPassword', async () => {
    const u = await createUser('users', 'own-pw@example.com');
    await seedRefs('users', u.id);
    const res = await update(u.id, { oldPassword: 'password123', password: 'newpass456', passwordConfirm: 'newpass456' }, u.token);
    expect(res.status, res.text).toBe(200);
    expect(await countRefs('users', u.id)).toEqual(AFTER_PASSWORD);
  });

  it('a superuser setting the password', async () => {
    const u = await createUser('users', 'root-pw@example.com');
    await seedRefs('users', u.id);
    expect((await update(u.id, { password: 'newpass456', passwordConfirm: 'newpass456' }, root)).status).toBe(200);
    expect(await countRefs('users', u.id)).toEqual(AFTER_PASSWORD);
  });

  it('a manager (manageRule) setting the password', async () => {
    const boss = await createUser('staff', 'boss@example.com');
    const u = await createUser('users', 'managed-pw@example.com');
    await seedRefs('users', u.id);
    const res = await update(u.id, { password: 'newpass456', passwordConfirm: 'newpass456' }, boss.token);
    expect(res.status, res.text).toBe(200);
    expect(await countRefs('users', u.id)).toEqual(AFTER_PASSWORD);
  });

  it('a password reset confirmed with its token', async () => {
    const u = await createUser('users', 'reset-pw@example.com');
    await seedRefs('users', u.id);
    const users = t.galley.core.schema.findCollection('users')!;
    const token = await signPasswordResetToken(t.galley.core, users, await stored(u.id));
    const res = await t.call('POST', '/api/collections/users/confirm-password-reset', { body: { token, password: 'newpass456', passwordConfirm: 'newpass456' } });
    expect(res.status, res.text).toBe(204);
    // the reset also proves the mailbox: verified turns true, and links go with that (see "verified")
    expect(await countRefs('users', u.id)).toEqual({ ...AFTER_PASSWORD, _externalAuths: 0 });
  });

  it('logout-all (a new tokenKey only) ends OTP codes and keeps MFA sessions and origins', async () => {
    const u = await createUser('users', 'logout@example.com');
    await seedRefs('users', u.id);
    expect((await t.call('POST', '/api/collections/users/auth-logout-all', { auth: u.token })).status).toBe(204);
    expect(await countRefs('users', u.id)).toEqual({ ...ALL, _otps: 0 });
  });

  it('an update that leaves password and tokenKey alone keeps every row', async () => {
    const u = await createUser('users', 'rename@example.com');
    await seedRefs('users', u.id);
    expect((await update(u.id, { name: 'New Name' }, u.token)).status).toBe(200);
    expect(await countRefs('users', u.id)).toEqual(ALL);
  });

  it('a failed password change (wrong oldPassword) keeps every row', async () => {
    const u = await createUser('users', 'wrong-old@example.com');
    await seedRefs('users', u.id);
    expect((await update(u.id, { oldPassword: 'nope', password: 'newpass456', passwordConfirm: 'newpass456' }, u.token)).status).toBe(400);
    expect(await countRefs('users', u.id)).toEqual(ALL);
  });

  it('galley superuser upsert with a new password ends the superuser’s MFA sessions, origins and OTP codes', async () => {
    const row = await t.galley.core.db.read.selectFrom('_superusers').select('id').executeTakeFirstOrThrow();
    await seedRefs('_superusers', String(row['id']));
    await upsertSuperuser({ dir: t.dir, database: t.database }, 'root@example.com', 'rootpass123');
    expect(await countRefs('_superusers', String(row['id']))).toEqual({ ...NONE, _externalAuths: 1 });
    root = await superuserToken(t); // the new password turned the tokenKey over
  });
});

describe('verified set through the records API', () => {
  const update = (id: string, body: Record<string, unknown>, auth: string) => t.call('PATCH', `/api/collections/users/records/${id}`, { body, auth });
  const me = (token: string) => t.call('POST', '/api/collections/users/auth-refresh', { auth: token });

  it('a superuser verifying a record drops its OAuth2 links and, since it had some, its sessions (and OTP codes)', async () => {
    const u = await createUser('users', 'verify-root@example.com');
    await seedRefs('users', u.id);
    const res = await update(u.id, { verified: true }, root);
    expect(res.status, res.text).toBe(200);
    expect(res.json.verified).toBe(true);
    expect(await countRefs('users', u.id)).toEqual({ ...ALL, _externalAuths: 0, _otps: 0 });
    expect((await me(u.token)).status).toBe(401);
  });

  it('a manager (manageRule) verifying a record does the same', async () => {
    const boss = await createUser('staff', 'boss2@example.com');
    const u = await createUser('users', 'verify-manager@example.com');
    await seedRefs('users', u.id);
    expect((await update(u.id, { verified: true }, boss.token)).status).toBe(200);
    expect(await countRefs('users', u.id)).toEqual({ ...ALL, _externalAuths: 0, _otps: 0 });
    expect((await me(u.token)).status).toBe(401);
  });

  it('verifying a record without links keeps its sessions', async () => {
    const u = await createUser('users', 'verify-nolinks@example.com');
    expect((await update(u.id, { verified: true }, root)).status).toBe(200);
    expect((await me(u.token)).status).toBe(200);
  });

  it('only false → true counts: unverifying, or verified sent again, keeps the links', async () => {
    const u = await createUser('users', 'verify-again@example.com');
    expect((await update(u.id, { verified: true }, root)).status).toBe(200);
    await seedRefs('users', u.id);
    expect((await update(u.id, { verified: true }, root)).status).toBe(200);
    expect((await update(u.id, { verified: false }, root)).status).toBe(200);
    expect(await countRefs('users', u.id)).toEqual(ALL);
  });
});

describe('truncate and drop', () => {
  it('truncating an auth collection removes the rows of all its records, not those of another collection', async () => {
    const a = await createUser('staff', 'st1@example.com');
    const b = await createUser('staff', 'st2@example.com');
    const keep = await createUser('users', 'keep@example.com');
    for (const r of [a, b]) await seedRefs('staff', r.id);
    await seedRefs('users', keep.id);
    const res = await t.call('DELETE', '/api/collections/staff/truncate', { auth: root });
    expect(res.status, res.text).toBe(204);
    expect(await countRefs('staff', a.id)).toEqual(NONE);
    expect(await countRefs('staff', b.id)).toEqual(NONE);
    expect(await countRefs('users', keep.id)).toEqual(ALL);
  });

  it('dropping an auth collection (migration) removes its rows in the migration; a kept collection keeps its rows', async () => {
    const s = await createUser('staff', 'gone@example.com');
    const u = await createUser('users', 'stays@example.com');
    await seedRefs('staff', s.id);
    await seedRefs('users', u.id);
    const staffId = collectionId('staff');
    const desired = loadSchema(schema.filter((c) => c.name !== 'staff')).collections;
    await migrateDatabase(t.galley.core.db, desired, { allowDataLoss: true });
    for (const table of TABLES) {
      expect(await t.galley.core.db.read.selectFrom(table).select('id').where('collectionRef', '=', staffId).execute(), table).toEqual([]);
    }
    expect(await countRefs('users', u.id)).toEqual(ALL);
  });
});
