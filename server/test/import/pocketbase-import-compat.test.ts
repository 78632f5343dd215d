// Issue 15 on an imported pb_data (helpers/pb-data.ts): a superuser PocketBase held unverified (hand-edited) comes in
// verified; a token secret PocketBase itself would refuse fails the import with PocketBase's import failure and
// leaves nothing; and while bcrypt hashes remain, a failed sign-in costs the same work whoever it names (one argon2id
// and one bcrypt check, counted, not timed), the rehash after a good one going through the record-write pipeline.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteHandle } from '../../src/db/driver.ts';
import { GalleyError } from '../../src/errors.ts';
import { createGalley, importPocketbase, type Galley } from '../../src/index.ts';
import { readPasswordCheckCounts } from '../../src/lib/password-hash.ts';
import { runScenario, type Scenario } from '../helpers/scenario.ts';
import { buildPbData, type PbData } from '../helpers/pb-data.ts';
import { callGalley } from '../helpers/test-galley.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

let pb: PbData;
let out: string;
let galley: Galley;
const target = { get galley() { return galley; }, call: (m: string, p: string, o?: Parameters<typeof callGalley>[3]) => callGalley(galley, m, p, o) };

beforeAll(async () => {
  pb = buildPbData({ unverifiedSuperuser: true });
  const parent = mkdtempSync(join(tmpdir(), 'pb-import-compat-'));
  out = join(parent, 'data');
  const schemaFile = join(parent, 'schema.json');
  const report = await importPocketbase({ pbData: pb.dir, dir: out, schemaOut: schemaFile });
  for (const e of report.envSecrets) process.env[e.name] = e.value;
  galley = await createGalley({ dir: out, schemaFile, logger: createTestLogger(), settings: { rateLimits: { enabled: false } } as never });
});
afterAll(() => galley?.close());

const passwordOf = async (email: string) =>
  String((await galley.core.db.read.selectFrom('users').select('password').where('email', '=', email).executeTakeFirstOrThrow())['password']);

/** The checks one sign-in ran, by kind. */
async function checksOf(s: Scenario): Promise<{ argon2id: number; bcrypt: number }> {
  const before = readPasswordCheckCounts();
  await runScenario(target, s);
  const after = readPasswordCheckCounts();
  return { argon2id: after.argon2id - before.argon2id, bcrypt: after.bcrypt - before.bcrypt };
}

const signIn = (name: string, identity: string, password: string, status: number, extra: Partial<Scenario> = {}): Scenario => ({
  name, method: 'POST', path: '/api/collections/users/auth-with-password', body: { identity, password }, status, ...extra,
});

describe('import pocketbase: issue 15', () => {
  it('a superuser stored unverified comes in verified', () => {
    const db = openSqliteHandle(join(out, 'data.db'));
    try {
      expect(db.prepare('SELECT email, verified FROM _superusers').all()).toEqual([{ email: pb.superuser.email, verified: 1 }]);
    } finally {
      db.close();
    }
  });

  it("a token secret PocketBase would refuse fails the import with its validation_collections_import_failure, leaving nothing", async () => {
    const bad = buildPbData({ shortTokenSecret: true });
    const parent = mkdtempSync(join(tmpdir(), 'pb-import-secret-'));
    const err = await importPocketbase({ pbData: bad.dir, dir: join(parent, 'data'), schemaOut: join(parent, 's.json') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GalleyError);
    const e = err as GalleyError;
    expect(e.message).toBe('Failed to import collections.');
    expect(e.issues).toEqual({
      collections: {
        code: 'validation_collections_import_failure',
        message: expect.stringMatching(/^Data validations failed for collection "users" \([^)]+\):\n\{\n {2}"authToken": \{\n {4}"secret": "The length must be between 30 and 255."/),
      },
    });
    expect(readdirSync(parent)).toEqual([]);
  });

  it('while bcrypt hashes remain, an unknown email, an imported user and a migrated user each cost one argon2id and one bcrypt check when they fail', async () => {
    const migrated = await target.call('POST', '/api/collections/users/records', { body: { email: 'new@example.com', password: 'new-pass-123', passwordConfirm: 'new-pass-123' } });
    expect(migrated.status, migrated.text).toBe(200);
    const both = { argon2id: 1, bcrypt: 1 };
    expect(await checksOf(signIn('an unknown email', 'ghost@example.com', 'wrong-pass-1', 400, { events: [] }))).toEqual(both);
    expect(await checksOf(signIn('the imported (bcrypt) user, wrong password', pb.user.email, 'wrong-pass-1', 400, { events: [] }))).toEqual(both);
    expect(await checksOf(signIn('a migrated (argon2id) user, wrong password', 'new@example.com', 'wrong-pass-1', 400, { events: [] }))).toEqual(both);
    // a success is told by its answer anyway: it pays its own check alone
    expect(await checksOf(signIn('a migrated (argon2id) user signs in', 'new@example.com', 'new-pass-123', 200))).toEqual({ argon2id: 1, bcrypt: 0 });
  });

  it('a good sign-in rehashes through the record-write pipeline (an update event, nothing ended); then unknown emails cost argon2id only', async () => {
    const before = await passwordOf(pb.user.email);
    expect(before.startsWith('$2')).toBe(true);
    await runScenario(target, signIn('the imported user signs in', pb.user.email, pb.user.password, 200, {
      // the rehash: an update of the same record (tokenKey kept); nothing deleted with it
      events: ['update:users'],
      contains: [`"id":"${pb.user.id}"`],
    }));
    expect((await passwordOf(pb.user.email)).startsWith('$argon2id$')).toBe(true);
    // the token PocketBase minted before the import still works: the rehash turned no tokenKey over
    const old = await target.call('POST', '/api/collections/users/auth-refresh', { auth: await pb.mintUserToken() });
    expect(old.status, old.text).toBe(200);
    // no bcrypt hash left in users: an unknown email pays the argon2id check alone again
    expect(await checksOf(signIn('an unknown email, all hashes migrated', 'ghost@example.com', 'wrong-pass-1', 400))).toEqual({ argon2id: 1, bcrypt: 0 });
  });
});
