// Issue 15 through the compiled binary: `galley import pocketbase` refuses a token secret PocketBase itself would
// refuse with PocketBase's import failure (exit 1, nothing written), and brings a superuser PocketBase held
// unverified in verified; `galley serve` then signs the superuser in with the password PocketBase hashed.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteHandle } from '../../server/src/db/driver.ts';
import { buildPbData } from '../../server/test/helpers/pb-data.ts';
import { makeTempDir, runBinary, startBinary } from './helpers/binary.ts';

const root = makeTempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('galley import pocketbase: PocketBase compatibility', () => {
  it('a token secret under 30 characters fails the import as PocketBase\'s import does, leaving nothing', async () => {
    const pb = buildPbData({ shortTokenSecret: true });
    const before = readdirSync(root);
    const r = await runBinary(['import', 'pocketbase', pb.dir, '--dir', join(root, 'bad'), '--schema-out', join(root, 'bad.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Failed to import collections.');
    expect(r.stderr).toContain('Data validations failed for collection "users"');
    expect(r.stderr).toContain('The length must be between 30 and 255.');
    expect(readdirSync(root).sort()).toEqual(before.sort());
  });

  it('a superuser stored unverified comes in verified and signs in', async () => {
    const pb = buildPbData({ unverifiedSuperuser: true });
    const dir = join(root, 'data');
    const schema = join(root, 'galley.schema.json');
    const r = await runBinary(['import', 'pocketbase', pb.dir, '--dir', dir, '--schema-out', schema]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(dir)).toBe(true);
    const db = openSqliteHandle(join(dir, 'data.db'));
    try {
      expect(db.prepare('SELECT verified FROM _superusers').all()).toEqual([{ verified: 1 }]);
    } finally {
      db.close();
    }
    const server = await startBinary({ dir, schema, env: { PB_OAUTH2_USERS_GOOGLE_SECRET: pb.oauth2Secret } });
    try {
      const auth = await new PocketBase(server.url).collection('_superusers').authWithPassword(pb.superuser.email, pb.superuser.password);
      expect(auth.record['verified']).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
