// `galley migrate-data` (issue 17): the blog app on SQLite (users, a superuser, tags, posts with relations and a
// file, a comment, settings with an SMTP password) copied to PostgreSQL and served from there (the same records
// field by field, password sign-in, a token made on SQLite still valid: token secrets and tokenKeys came along),
// then copied back into a new directory (the same records again, in the same order). Refusals: a server on
// either side, a target holding records, a rule PostgreSQL cannot run; a count that differs is reported.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openSqliteHandle } from '../../src/db/driver.ts';
import { createGalley, migrateData, previewMigration, upsertSuperuser, type CopyProgress, type Galley } from '../../src/index.ts';
import { openDataEndpoint } from '../../src/migrate-data/data-endpoint.ts';
import { describePostgres, usePostgresDatabase } from '../helpers/postgres.ts';
import { callGalley, readExample, REPO } from '../helpers/test-galley.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

const PASSWORD = 'db-password-never-shown';
const SMTP_SECRET = 'smtp-secret-kept-1';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

describePostgres('galley migrate-data', () => {
  const target = usePostgresDatabase();
  const spare = usePostgresDatabase();
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'galley-migrate-data-'));
    dirs.push(dir);
    return dir;
  };
  const start = (opts: Parameters<typeof createGalley>[0]) => createGalley({ dir: newDir(), logger: createTestLogger(), ...opts });
  const call = (g: Galley, method: string, path: string, body?: unknown, auth?: string) => callGalley(g, method, path, { body, auth });
  const signIn = async (g: Galley, collection: string, identity: string, password: string) => {
    const res = await call(g, 'POST', `/api/collections/${collection}/auth-with-password`, { identity, password });
    expect(res.status).toBe(200);
    return res.json.token as string;
  };

  let source = '';
  let url = '';
  let annToken = '';
  let postId = '';
  let seen: { post: unknown; posts: unknown; users: unknown } = { post: null, posts: null, users: null };
  /** what the app answers a reader and a superuser, to compare after each copy */
  const look = async (g: Galley) => {
    const root = await signIn(g, '_superusers', 'root@example.com', 'rootpass123');
    return {
      post: (await call(g, 'GET', `/api/collections/posts/records/${postId}?expand=author,tags`, undefined, annToken)).json,
      posts: (await call(g, 'GET', '/api/collections/posts/records?perPage=50', undefined, annToken)).json,
      users: (await call(g, 'GET', '/api/collections/users/records?perPage=50', undefined, root)).json,
    };
  };

  beforeAll(async () => {
    url = target.get().url.replace('postgres@', `postgres:${PASSWORD}@`);
    source = newDir();
    const g = await createGalley({ dir: source, schema: readExample('blog.json'), logger: createTestLogger() });
    try {
      await upsertSuperuser({ dir: source }, 'root@example.com', 'rootpass123');
      const root = await signIn(g, '_superusers', 'root@example.com', 'rootpass123');
      const saved = await call(g, 'PATCH', '/api/settings', { meta: { appName: 'Copied blog' }, smtp: { enabled: true, host: 'mail.example.com', port: 2525, username: 'blog', password: SMTP_SECRET } }, root);
      expect(saved.status).toBe(200);
      const users = [];
      for (const [email, name] of [['ann@example.com', 'Ann'], ['bo@example.com', 'Bo']]) {
        const made = await call(g, 'POST', '/api/collections/users/records', { email, name, password: 'userpass123', passwordConfirm: 'userpass123' });
        expect(made.status).toBe(200);
        users.push(made.json.id as string);
      }
      annToken = await signIn(g, 'users', 'ann@example.com', 'userpass123');
      const tags = [];
      for (const name of ['news', 'howto', 'misc']) tags.push((await call(g, 'POST', '/api/collections/tags/records', { name }, root)).json.id);
      const form = new FormData();
      for (const [k, v] of Object.entries({ title: 'First', slug: 'first', body: '<p>héllo</p>', status: 'published', author: users[0]!, published: '2026-01-02 03:04:05.678Z' })) form.set(k, v);
      form.append('tags', tags[0]);
      form.append('tags', tags[2]);
      form.set('cover', new File([PNG], 'cover.png', { type: 'image/png' }));
      const first = await callGalley(g, 'POST', '/api/collections/posts/records', { body: form, auth: annToken });
      expect(first.status).toBe(200);
      postId = first.json.id;
      expect(first.json.cover).toMatch(/^cover_\w+\.png$/);
      for (const slug of ['second', 'third']) {
        expect((await call(g, 'POST', '/api/collections/posts/records', { title: slug, slug, status: 'draft', author: users[0], tags: [tags[1]] }, annToken)).status).toBe(200);
      }
      const comment = await call(g, 'POST', '/api/collections/comments/records', { post: postId, author: users[0], body: 'me first' }, annToken);
      expect(comment.status).toBe(200);
      seen = await look(g);
      expect(seen.posts).toMatchObject({ totalItems: 3 });
    } finally {
      await g.close();
    }
  }, 60_000);

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('copies the app to PostgreSQL, counts every collection on both sides, and PostgreSQL serves it as it was', async () => {
    const progress: CopyProgress[] = [];
    const report = await migrateData({ from: source, to: url, pageRows: 2, onProgress: (p) => progress.push(p) });
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
    expect(report.to).toContain('postgres:***@');
    expect(report.mismatches).toEqual([]);
    const counts = Object.fromEntries(report.counts.map((c) => [c.name, [c.source, c.target]]));
    expect(counts).toMatchObject({ _superusers: [1, 1], users: [2, 2], tags: [3, 3], posts: [3, 3], comments: [1, 1], _authOrigins: [2, 2] });
    // pages of 2 rows: posts reported after 2 and after 3
    expect(progress.filter((p) => p.collection === 'posts').map((p) => [p.copied, p.done])).toEqual([[0, false], [2, false], [3, false], [3, true]]);
    expect(report.files).toEqual({ place: 'local', storageDir: join(source, 'storage'), count: 1 });

    // the schema on PostgreSQL is the file's: nothing to migrate
    const preview = await previewMigration({ database: url, schemaFile: join(REPO, 'schema-examples', 'blog.json') });
    expect(preview.plan.steps).toEqual([]);

    // served from PostgreSQL, the files from the source's storage/
    const g = await createGalley({ dir: source, database: url, logger: createTestLogger() });
    try {
      expect(g.startReport.schemaSource).toBe('database');
      // the token made on SQLite: the same token secret and tokenKey; the records field by field, in the same order
      expect(await look(g)).toEqual(seen);
      await signIn(g, 'users', 'ANN@example.com', 'userpass123');
      const settings = await g.core.db.read.selectFrom('_galley_params').select('value').where('key', '=', 'settings').executeTakeFirstOrThrow();
      expect(JSON.parse(settings.value).smtp).toMatchObject({ host: 'mail.example.com', password: SMTP_SECRET });
      const cover = (seen.post as { cover: string }).cover;
      expect((await callGalley(g, 'GET', `/api/files/posts/${postId}/${cover}`)).status).toBe(200);
    } finally {
      await g.close();
    }
  }, 60_000);

  it('copies it back into a new directory: the same records in the same order', async () => {
    const back = newDir();
    const progress: CopyProgress[] = [];
    // pages of 2 rows: PostgreSQL's cursor fetched more than once
    const report = await migrateData({ from: url, to: back, pageRows: 2, onProgress: (p) => progress.push(p) });
    expect(progress.filter((p) => p.collection === 'posts').map((p) => p.copied)).toEqual([0, 2, 3, 3]);
    expect(report.mismatches).toEqual([]);
    expect(report.counts.find((c) => c.name === 'posts')).toEqual({ name: 'posts', source: 3, target: 3 });
    // PostgreSQL does not know where its server kept local files
    expect(report.files).toEqual({ place: 'local', storageDir: undefined, count: 0 });
    const g = await createGalley({ dir: back, logger: createTestLogger() });
    try {
      const now = await look(g);
      expect(now.posts).toEqual(seen.posts);
      expect(now.users).toEqual(seen.users);
      expect(now.post).toMatchObject({ id: postId, title: 'First', tags: (seen.post as { tags: string[] }).tags });
    } finally {
      await g.close();
    }
  }, 60_000);

  it('refuses while a server runs on either side, and a target that already holds records', async () => {
    const onSource = await createGalley({ dir: source, logger: createTestLogger() });
    try {
      await expect(migrateData({ from: source, to: spare.get().url })).rejects.toThrow(/a Galley server is running on .*stop it/);
    } finally {
      await onSource.close();
    }
    const onTarget = await start({ database: url });
    try {
      const refused = migrateData({ from: source, to: url });
      await expect(refused).rejects.toThrow(/a Galley server is running on postgres:\/\/postgres:\*\*\*@/);
      await expect(refused).rejects.not.toThrow(new RegExp(PASSWORD));
    } finally {
      await onTarget.close();
    }
    // a database Galley never ran on is not a source, and is left as it was
    for (let i = 0; i < 2; i++) {
      // the second time too: the first installed nothing (else: "no schema was ever applied")
      await expect(migrateData({ from: spare.get().url, to: newDir() })).rejects.toThrow(/holds no Galley app \(no _galley_schema table\)/);
    }
    await expect(migrateData({ from: source, to: url })).rejects.toThrow(/already holds records \(.*_superusers: 1, users: 2, tags: 3, posts: 3/);
  }, 60_000);

  it("a server starting on a database migrate-data holds is refused before its start migration runs", async () => {
    const held = spare.get().url;
    const copying = await openDataEndpoint(held, 'target'); // migrate-data's own guard, held for a whole copy
    try {
      const extra = [{ name: 'extra', fields: [{ name: 'title', type: 'text' }] }];
      await expect(start({ database: held, schema: extra })).rejects.toThrow(/held exclusively: `galley migrate-data` is copying into or out of it/);
      const { rows } = await sql<{ extra: string | null }>`SELECT to_regclass('extra')::text AS extra`.execute(copying.db.read);
      expect(rows).toEqual([{ extra: null }]); // before: the start created it, then the files lock refused the start
    } finally {
      await copying.close();
    }
  }, 60_000);

  it('refuses a rule PostgreSQL cannot run before writing anything', async () => {
    const dir = newDir();
    const notes = [{ name: 'notes', listRule: "strftime('%Y-%m', created, 'start of month') = '2026-01'", fields: [{ name: 'title', type: 'text' }, { name: 'created', type: 'autodate', onCreate: true }] }];
    await (await createGalley({ dir, schema: notes, logger: createTestLogger() })).close();
    await expect(migrateData({ from: dir, to: spare.get().url })).rejects.toThrow(/cannot run these rules of the app: notes\.listRule: .*modifiers/);
    const g = await start({ database: spare.get().url });
    try {
      expect(g.startReport.schemaSource).toBe('none'); // nothing was applied there
    } finally {
      await g.close();
    }
  }, 60_000);

  it('reports a collection counted differently on the two sides (written to during the copy)', async () => {
    const copy = newDir();
    await migrateData({ from: url, to: copy }); // a source of its own: this test writes to it
    const writeTag = (p: CopyProgress) => {
      if (p.collection !== 'tags' || !p.done) return;
      const handle = openSqliteHandle(join(copy, 'data.db'));
      try {
        handle.exec(`INSERT INTO tags (id, name, created, updated) VALUES ('latecomer12345', 'late', '', '')`);
      } finally {
        handle.close();
      }
    };
    const report = await migrateData({ from: copy, to: spare.get().url, onProgress: writeTag });
    expect(report.mismatches).toEqual([{ name: 'tags', source: 4, target: 3 }]);
    expect(report.counts.filter((c) => c.source !== c.target)).toHaveLength(1);
  }, 60_000);
});
