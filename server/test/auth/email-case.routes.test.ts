// Issue 18, item 4: emails are unique case-insensitively in every auth collection. `Carol@Example.com` cannot
// sign up beside `carol@example.com` (before: both could, and a password sign-in matched lower(email) and took
// the first row, so the attacker's account answered the victim's identity). Sign-in by an identity field
// compares as that field's unique index does, so it finds one record or none.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertSuperuser } from '../../src/index.ts';
import { CompiledQuery } from 'kysely';
import { buildIdentityMatch } from '../../src/auth/find-auth-record.ts';
import { signEmailChangeToken } from '../../src/auth/tokens.ts';
import { migrateDatabase } from '../../src/db/migrate/migrate-database.ts';
import { openDatabase } from '../../src/db/open.ts';
import { testsOnPostgres } from '../helpers/test-database.ts';
import { loadSchema } from '../../src/schema/load.ts';
import { superuserToken } from '../helpers/test-galley.ts';
import { startAuthGalley, type AuthTestGalley } from './harness.ts';

const PASSWORD = 'password123';
const users = {
  name: 'users',
  type: 'auth',
  listRule: 'id = @request.auth.id',
  viewRule: 'id = @request.auth.id',
  createRule: '',
  updateRule: 'id = @request.auth.id',
  deleteRule: null,
  passwordAuth: { enabled: true, identityFields: ['email', 'username'] },
  fields: [{ name: 'username', type: 'text' }],
  // a case-sensitive username index: `Bob` and `bob` are two users, and each signs in as itself
  indexes: ['CREATE UNIQUE INDEX `idx_username` ON `users` (`username`) WHERE `username` != \'\''],
};

let t: AuthTestGalley;
let root: string;
const ids: Record<string, string> = {};

const signUp = (email: string, extra: Record<string, unknown> = {}) =>
  t.call('POST', '/api/collections/users/records', { body: { email, password: PASSWORD, passwordConfirm: PASSWORD, ...extra } });
const signIn = (identity: string, collection = 'users', password = PASSWORD) =>
  t.call('POST', `/api/collections/${collection}/auth-with-password`, { body: { identity, password } });
const emailsLike = async (email: string) =>
  (await t.galley.core.db.read.selectFrom('users').select(['id', 'email']).where((eb) => eb(eb.fn('lower', [eb.ref('email')]), '=', email.toLowerCase())).execute());

beforeAll(async () => {
  t = await startAuthGalley([users]);
  root = await superuserToken(t);
  for (const [name, email] of [['carol', 'carol@example.com'], ['dave', 'dave@example.com']] as const) {
    const res = await signUp(email);
    expect(res.status, res.text).toBe(200);
    ids[name] = res.json.id;
  }
}, 60_000);

afterAll(() => t?.close());

describe('a case variant of a taken email', () => {
  it('the probe: a second sign-up as Carol@Example.com → 400 validation_not_unique on email, nothing stored', async () => {
    const res = await signUp('Carol@Example.com');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      status: 400,
      message: 'Failed to create record.',
      data: { email: { code: 'validation_not_unique', message: 'Value must be unique.' } },
    });
    expect(await emailsLike('carol@example.com')).toEqual([{ id: ids['carol'], email: 'carol@example.com' }]);
  });

  it('the victim signs in with any case of her email, and it is always her record', async () => {
    for (const identity of ['carol@example.com', 'CAROL@example.com', 'Carol@Example.Com']) {
      const res = await signIn(identity);
      expect(res.status, identity).toBe(200);
      expect(res.json.record.id).toBe(ids['carol']);
    }
  });

  it('nor as a superuser, nor through an update of another record', async () => {
    const created = await t.call('POST', '/api/collections/users/records', {
      auth: root,
      body: { email: 'CAROL@EXAMPLE.COM', password: PASSWORD, passwordConfirm: PASSWORD },
    });
    expect(created.status).toBe(400);
    expect(created.json.data.email.code).toBe('validation_not_unique');
    const updated = await t.call('PATCH', `/api/collections/users/records/${ids['dave']}`, { auth: root, body: { email: 'Carol@example.com' } });
    expect(updated.status).toBe(400);
    expect(updated.json.data.email.code).toBe('validation_not_unique');
    expect(await emailsLike('carol@example.com')).toHaveLength(1);
  });

  it('nor through an email change: the request answers 204 as for any taken address, the confirm is refused', async () => {
    const dave = (await signIn('dave@example.com')).json.token as string;
    // Galley's documented answer for a taken address: 204 and no mail (no enumeration)
    const request = await t.call('POST', '/api/collections/users/request-email-change', { auth: dave, body: { newEmail: 'CAROL@example.com' } });
    expect(request.status).toBe(204);
    // a link issued while the address was free, confirmed after carol (in another case) took it
    const collection = t.galley.core.schema.findCollection('users')!;
    const row = await t.galley.core.db.read.selectFrom('users').selectAll().where('id', '=', ids['dave']!).executeTakeFirstOrThrow();
    const token = await signEmailChangeToken(t.galley.core, collection, row, 'Carol@Example.com');
    const confirm = await t.call('POST', '/api/collections/users/confirm-email-change', { body: { token, password: PASSWORD } });
    expect(confirm.status).toBe(400);
    expect(confirm.json.data.token.code).toBe('validation_invalid_token');
    expect(await emailsLike('carol@example.com')).toEqual([{ id: ids['carol'], email: 'carol@example.com' }]);
  });

  it('a record may change the case of its own email', async () => {
    const collection = t.galley.core.schema.findCollection('users')!;
    const row = await t.galley.core.db.read.selectFrom('users').selectAll().where('id', '=', ids['dave']!).executeTakeFirstOrThrow();
    const token = await signEmailChangeToken(t.galley.core, collection, row, 'Dave@Example.com');
    const confirm = await t.call('POST', '/api/collections/users/confirm-email-change', { body: { token, password: PASSWORD } });
    expect(confirm.status, confirm.text).toBe(204);
    expect(await emailsLike('dave@example.com')).toEqual([{ id: ids['dave'], email: 'Dave@Example.com' }]);
    expect((await signIn('dave@example.com')).json.record.id).toBe(ids['dave']);
  });

  it('superusers too: the API refuses a case variant and `superuser upsert` updates the one that exists', async () => {
    const res = await t.call('POST', '/api/collections/_superusers/records', {
      auth: root,
      body: { email: 'ROOT@example.com', password: 'rootpass123', passwordConfirm: 'rootpass123' },
    });
    expect(res.status).toBe(400);
    expect(res.json.data.email.code).toBe('validation_not_unique');
    expect(await upsertSuperuser({ dir: t.dir, database: t.database }, 'Root@Example.com', 'newpass1234')).toBe('updated');
    const count = await t.galley.core.db.read.selectFrom('_superusers').select('id').execute();
    expect(count).toHaveLength(1);
    expect((await signIn('root@example.com', '_superusers', 'newpass1234')).status).toBe(200);
  });
});

describe('the lookup by email', () => {
  // SQLite's query plan (PostgreSQL's run: the lower(email) index is checked by migrate-postgres.test.ts)
  it.skipIf(testsOnPostgres)('searches the email index (no table scan per sign-in)', async () => {
    const users = t.galley.core.schema.findCollection('users')!;
    const query = t.galley.core.db.read.selectFrom('users').selectAll().where(buildIdentityMatch(users, 'email', 'CAROL@example.com', t.galley.core.db.dialect)).compile();
    // on a connection of its own, so the server's readers are left as they are
    const db = openDatabase({ file: join(t.dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 1000 });
    try {
      const plan = await db.read.executeQuery(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]));
      expect(JSON.stringify(plan.rows)).toMatch(/USING INDEX idx_email_/);
    } finally {
      await db.close();
    }
  });
});

describe('identity fields with a case-sensitive unique index', () => {
  it('`Bob` and `bob` are two users, and each name signs in as its own record (never the first of two)', async () => {
    const upper = await signUp('bob1@example.com', { username: 'Bob' });
    const lower = await signUp('bob2@example.com', { username: 'bob' });
    expect([upper.status, lower.status]).toEqual([200, 200]);
    expect((await signIn('Bob')).json.record.id).toBe(upper.json.id);
    expect((await signIn('bob')).json.record.id).toBe(lower.json.id);
    expect((await signIn('BOB')).status).toBe(400);
  });
});

describe('a database that already holds case duplicates', () => {
  it('is refused by the migration that makes the email index case-insensitive, naming the records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'galley-email-case-'));
    const db = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 1000 });
    try {
      const desired = loadSchema([users]).collections;
      // the schema an older Galley applied: PocketBase's exact email index
      const older = desired.map((c) => (c.type === 'auth' ? { ...c, indexes: c.indexes.map((i) => i.replace(' COLLATE NOCASE', '')) } : c));
      await migrateDatabase(db, older);
      const row = (id: string, email: string) => ({ id, email, password: 'x', tokenKey: `${id}-token-key-000000000000000000000`, emailVisibility: 0, verified: 0, username: '' });
      await db.writer.run((tx) =>
        tx.db.insertInto('users').values([row('victim000000001', 'carol@example.com'), row('attacker0000001', 'Carol@Example.com'), row('other0000000001', 'x@example.com')]).execute(),
      );
      const failure = await migrateDatabase(db, desired).then(() => null, (err: Error) => err.message);
      expect(failure).toContain('records "attacker0000001", "victim000000001" share values that the unique index');
      expect(failure).not.toContain('other0000000001');
      // nothing changed: both rows are still there, under the old index
      const rows = await db.read.selectFrom('users').select('id').execute();
      expect(rows).toHaveLength(3);
      // once the duplicate is resolved, the same migration applies as a safe step (as `serve` runs it)
      await db.writer.run((tx) => tx.db.deleteFrom('users').where('id', '=', 'attacker0000001').execute());
      const applied = await migrateDatabase(db, desired);
      expect(applied.steps.map((s) => s.kind)).toContain('createIndex');
      const again = db.writer.run((tx) => tx.db.insertInto('users').values(row('attacker0000002', 'CAROL@example.com')).execute());
      await expect(again).rejects.toThrow(/unique/i);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
