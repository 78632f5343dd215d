// `galley import pocketbase`: a pb_data built in PocketBase's storage format (helpers/pb-data.ts) imported into a
// fresh directory, then a Galley on it through the official SDK over a socket: the user signs in with the password
// PocketBase hashed (bcrypt, then argon2id), a token PocketBase signed still works, records, relations, files and
// settings come along. Also the dry run and an import that fails part-way.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteHandle } from '../../src/db/driver.ts';
import { createGalley, importPocketbase, type Galley, type PocketbaseImportReport } from '../../src/index.ts';
import { buildPbData, PB_POSTS_ID, type PbData } from '../helpers/pb-data.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

let pb: PbData;
let out: string;
let schemaFile: string;
let report: PocketbaseImportReport;
let galley: Galley;
let url: string;
let sourceBefore: Buffer;
const ENV = 'PB_OAUTH2_USERS_GOOGLE_SECRET';

beforeAll(async () => {
  pb = buildPbData();
  sourceBefore = readFileSync(join(pb.dir, 'data.db'));
  const parent = mkdtempSync(join(tmpdir(), 'pb-import-'));
  out = join(parent, 'galley_data');
  schemaFile = join(parent, 'galley.schema.json');
  report = await importPocketbase({ pbData: pb.dir, dir: out, schemaOut: schemaFile, logs: true });
  process.env[ENV] = report.envSecrets.find((e) => e.name === ENV)?.value;
  galley = await createGalley({ dir: out, schemaFile, logger: createTestLogger(), settings: { rateLimits: { enabled: false } } as never });
  url = (await galley.listen('127.0.0.1:0')).url;
});
afterAll(async () => {
  await galley?.close();
  delete process.env[ENV];
});

const readPassword = (email: string): string => {
  const db = openSqliteHandle(join(out, 'data.db'));
  try {
    return String(db.prepare('SELECT password FROM users WHERE email = ?').all([email])[0]?.['password']);
  } finally {
    db.close();
  }
};

describe('import pocketbase', () => {
  it('reports what it imported, and moves the OAuth2 client secret out of the schema file', () => {
    expect(report).toMatchObject({ collections: 4, records: 4, files: 1, logs: 1, tokenSecrets: 10, settings: 'imported', skipped: [] });
    expect(report.envSecrets).toEqual([{ name: ENV, value: pb.oauth2Secret }]);
    const schema = readFileSync(schemaFile, 'utf8');
    expect(schema).not.toContain(pb.oauth2Secret);
    expect(schema).not.toContain(pb.secrets.usersAuth);
    expect(schema).toContain(`"$env:${ENV}"`);
    expect(readdirSync(dirname(out)).filter((n) => n.includes('.import-'))).toEqual([]);
    expect(readFileSync(join(pb.dir, 'data.db')).equals(sourceBefore)).toBe(true); // read, never written
  });

  it("signs in with PocketBase's bcrypt password through the SDK, then the hash is argon2id and still verifies", async () => {
    expect(readPassword(pb.user.email)).toMatch(/^\$2[aby]\$/);
    const client = new PocketBase(url);
    const auth = await client.collection('users').authWithPassword(pb.user.email, pb.user.password);
    expect(auth.record.id).toBe(pb.user.id);
    expect(readPassword(pb.user.email)).toMatch(/^\$argon2id\$/);
    await expect(new PocketBase(url).collection('users').authWithPassword(pb.user.email, 'wrong-password')).rejects.toMatchObject({ status: 400 });
    const again = await new PocketBase(url).collection('users').authWithPassword(pb.user.email, pb.user.password);
    expect(again.record.email).toBe(pb.user.email);
  });

  it('keeps a session PocketBase started: its token still authenticates', async () => {
    const client = new PocketBase(url);
    client.authStore.save(await pb.mintUserToken(), null);
    const refreshed = await client.collection('users').authRefresh();
    expect(refreshed.record.id).toBe(pb.user.id);
  });

  it('serves the records, the relation, the view, the file and the superuser', async () => {
    const client = new PocketBase(url);
    await client.collection('users').authWithPassword(pb.user.email, pb.user.password); // users' viewRule: only oneself
    const post = await client.collection('posts').getOne(pb.post.id, { expand: 'author' });
    expect(post['title']).toBe(pb.post.title);
    expect(post.expand?.['author']?.['name']).toBe('Ann');
    const titles = await client.collection('post_titles').getFullList();
    expect(titles.map((t) => t['title'])).toEqual([pb.post.title]);
    const file = await fetch(`${url}/api/files/${PB_POSTS_ID}/${pb.post.id}/${pb.post.file}`);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe(pb.post.fileBody);
    const root = new PocketBase(url);
    await root.collection('_superusers').authWithPassword(pb.superuser.email, pb.superuser.password);
    const settings = await root.settings.getAll();
    expect(settings['meta'].appName).toBe('Imported App');
    expect(settings['smtp']).toMatchObject({ enabled: true, host: 'smtp.example.com', port: 587 });
    expect(settings['logs'].maxDays).toBe(9);
    const logs = await root.logs.getList(1, 10, { filter: "message = 'GET /api/health'" });
    expect(logs.items.map((l) => l.data)).toEqual([{ status: 200 }]);
    const links = await root.collection('_externalAuths').getFullList();
    expect(links.map((l) => l['providerId'])).toEqual(['google-uid-1']);
  });
});

describe('import pocketbase: dry run and failures', () => {
  it('a dry run writes nothing and lists each row that cannot be imported, with the reason', async () => {
    const bad = buildPbData({ duplicateEmail: true });
    const parent = mkdtempSync(join(tmpdir(), 'pb-import-dry-'));
    const r = await importPocketbase({ pbData: bad.dir, dir: join(parent, 'data'), schemaOut: join(parent, 's.json'), dryRun: true });
    expect(r.dryRun).toBe(true);
    expect(r.records).toBe(4); // the superuser, the first user, the post, the OAuth2 link
    expect(r.skipped).toEqual([
      { what: 'users record u2222222222abcd', reason: expect.stringContaining('UNIQUE constraint failed: users.email') },
      { what: 'storage/_pb_users_auth_/u2222222222abcd/note_x1y2z3.txt', reason: 'its record was not imported' },
    ]);
    expect(r.files).toBe(1);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('an import that fails part-way leaves no data directory, temp directory or schema file', async () => {
    const broken = buildPbData({ brokenRule: true });
    const parent = mkdtempSync(join(tmpdir(), 'pb-import-fail-'));
    await expect(importPocketbase({ pbData: broken.dir, dir: join(parent, 'data'), schemaOut: join(parent, 's.json') })).rejects.toThrow(/nosuchfield/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("reads settings PocketBase stored encrypted (PB_ENCRYPTION) with the same key, and reports them without it", async () => {
    const key = 'k'.repeat(16) + '0123456789abcdef';
    const enc = buildPbData({ encryptionKey: key });
    const parent = mkdtempSync(join(tmpdir(), 'pb-import-enc-'));
    const withKey = await importPocketbase({ pbData: enc.dir, dir: join(parent, 'a'), schemaOut: join(parent, 'a.json'), dryRun: true, encryptionKey: key });
    expect(withKey.settings).toBe('imported');
    const without = await importPocketbase({ pbData: enc.dir, dir: join(parent, 'b'), schemaOut: join(parent, 'b.json'), dryRun: true });
    expect(without.settings).toBe('encrypted');
    expect(without.skipped).toEqual([{ what: 'settings', reason: expect.stringContaining('--encryption-env') }]);
    const wrong = await importPocketbase({ pbData: enc.dir, dir: join(parent, 'c'), schemaOut: join(parent, 'c.json'), dryRun: true, encryptionKey: 'x'.repeat(32) });
    expect(wrong.settings).toBe('encrypted');
  });

  it('refuses a directory that is not a pb_data, and a target that is not empty', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pb-import-none-'));
    await expect(importPocketbase({ pbData: empty, dir: join(empty, 'x'), schemaOut: join(empty, 's.json') })).rejects.toThrow(/no data\.db/);
    await expect(importPocketbase({ pbData: pb.dir, dir: dirname(out), schemaOut: join(empty, 's.json') })).rejects.toThrow(/not empty/);
    expect(existsSync(join(empty, 's.json'))).toBe(false);
  });
});
