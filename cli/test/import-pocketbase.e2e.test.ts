// `galley import pocketbase` through the compiled binary: a pb_data built in PocketBase's storage format
// (server/test/helpers/pb-data.ts) becomes a data directory and a schema file, and `galley serve` on them
// signs the user in with the password PocketBase hashed and accepts a token PocketBase signed.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPbData } from '../../server/test/helpers/pb-data.ts';
import { makeTempDir, runBinary, startBinary } from './helpers/binary.ts';

const root = makeTempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('galley import pocketbase', () => {
  it('a dry run prints what would be imported and each row that cannot be, and writes nothing', async () => {
    const pb = buildPbData({ duplicateEmail: true });
    const dir = join(root, 'dry');
    const r = await runBinary(['import', 'pocketbase', pb.dir, '--dir', dir, '--schema-out', join(root, 'dry.json'), '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('skipped users record u2222222222abcd: UNIQUE constraint failed: users.email');
    expect(r.stdout).toContain('skipped storage/_pb_users_auth_/u2222222222abcd/note_x1y2z3.txt: its record was not imported');
    expect(r.stdout).toContain('Would import 4 collections, 4 records, 1 files, 0 log entries, 10 token secrets, settings: imported; 2 skipped.');
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(join(root, 'dry.json'))).toBe(false);
  });

  it('imports, prints the OAuth2 secret once, and serve signs in with the old password and the old token', async () => {
    const pb = buildPbData();
    const dir = join(root, 'data');
    const schema = join(root, 'galley.schema.json');
    const r = await runBinary(['import', 'pocketbase', pb.dir, '--dir', dir, '--schema-out', schema]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`PB_OAUTH2_USERS_GOOGLE_SECRET=${pb.oauth2Secret}`);
    expect(r.stdout).toContain('Imported 4 collections, 4 records, 1 files, 0 log entries, 10 token secrets, settings: imported; 0 skipped.');
    expect(readFileSync(schema, 'utf8')).not.toContain(pb.oauth2Secret);

    const server = await startBinary({ dir, schema, env: { PB_OAUTH2_USERS_GOOGLE_SECRET: pb.oauth2Secret } });
    try {
      const client = new PocketBase(server.url);
      const auth = await client.collection('users').authWithPassword(pb.user.email, pb.user.password);
      expect(auth.record.id).toBe(pb.user.id);
      const old = new PocketBase(server.url);
      old.authStore.save(await pb.mintUserToken(), null);
      expect((await old.collection('users').authRefresh()).record.email).toBe(pb.user.email);
      const post = await client.collection('posts').getOne(pb.post.id, { expand: 'author' });
      expect(post.expand?.['author']?.['id']).toBe(pb.user.id);
      const file = await fetch(client.files.getURL(post, pb.post.file));
      expect(await file.text()).toBe(pb.post.fileBody);
    } finally {
      await server.stop();
    }
  });

  it('an import that fails leaves no directory behind and exits 1 with the reason', async () => {
    const pb = buildPbData({ brokenRule: true });
    const before = readdirSync(root);
    const r = await runBinary(['import', 'pocketbase', pb.dir, '--dir', join(root, 'broken'), '--schema-out', join(root, 'broken.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nosuchfield');
    expect(readdirSync(root).sort()).toEqual(before.sort());
  });
});
