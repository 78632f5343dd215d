// The whole app on PostgreSQL (createGalley({ database }), what `galley serve --database` runs): start (system
// collections, migrations, settings, secrets), records CRUD with rules, password sign-in, a realtime subscription, the
// logs in `_logs`, what stays SQLite-only answering 400; then a second instance on the same database (started from
// GALLEY_DATABASE_URL) that follows the first's settings save, the files lock refusing local storage beside it.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresCronClaims } from '../../src/cron/job-state.ts';
import { sweepOrphanFiles } from '../../src/files/orphan-sweep.ts';
import { applyMigration, createGalley, deleteSuperuser, listMigrationHistory, listSuperusers, previewMigration, upsertSuperuser, type Galley } from '../../src/index.ts';
import { connectRaw } from '../realtime/sse-client.ts';
import { describePostgres, usePostgresDatabase } from '../helpers/postgres.ts';
import { callGalley, readExample } from '../helpers/test-galley.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

// files on S3 (never reached: nothing here uploads), so a second instance may start beside the first
const S3 = { enabled: true, bucket: 'galley-test', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', accessKey: 'k', secret: 's' };
const PASSWORD = 'not-a-real-password';

describePostgres('createGalley on PostgreSQL', () => {
  const database = usePostgresDatabase();
  const dirs: string[] = [];
  const running: Galley[] = [];
  let url = '';
  let a: Galley;
  let root = '';

  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'galley-pg-serve-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (opts: Parameters<typeof createGalley>[0]) => {
    const galley = await createGalley({ dir: newDir(), schema: readExample('blog.json'), logger: createTestLogger(), ...opts });
    running.push(galley);
    return galley;
  };
  const call = (g: Galley, method: string, path: string, body?: unknown, auth?: string) => callGalley(g, method, path, { body, auth });

  beforeAll(async () => {
    // a password in the URL (trust auth ignores it): it must never show in the config
    url = database.get().url.replace('postgres@', `postgres:${PASSWORD}@`);
    a = await start({ database: url, settings: { s3: S3 } });
  });
  const signIn = async (g: Galley, collection: string, identity: string, password: string) => {
    const res = await call(g, 'POST', `/api/collections/${collection}/auth-with-password`, { identity, password });
    expect(res.status).toBe(200);
    return res.json.token as string;
  };
  /** a superuser made as `galley superuser upsert --database` makes it, signed in */
  const signInRoot = async () => {
    if (root) return;
    expect(await upsertSuperuser({ dir: newDir(), database: url }, 'root@example.com', 'rootpass123')).toBe('created');
    root = await signIn(a, '_superusers', 'root@example.com', 'rootpass123');
  };
  afterAll(async () => {
    for (const g of running.reverse()) await g.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('starts with the schema applied and the URL masked', () => {
    expect(a.startReport.appliedOnStart.some((s) => s.startsWith('create table "posts"'))).toBe(true);
    const shown = JSON.stringify(a.core.config);
    expect(shown).not.toContain(PASSWORD);
    expect(shown).toContain('postgres:***@');
    expect(a.core.db.dialect.name).toBe('postgres');
  });

  it('refuses at start a rule only SQLite can run, naming it', async () => {
    const notes = [{ name: 'notes', listRule: "strftime('%Y-%m', created, 'start of month') = '2026-01'", fields: [{ name: 'title', type: 'text' }, { name: 'created', type: 'autodate', onCreate: true }] }];
    await expect(start({ database: url, schema: notes })).rejects.toThrow(/listRule.*modifiers are not supported on PostgreSQL/s);
  });

  it('serves records with rules, password sign-in and realtime', async () => {
    const user = await call(a, 'POST', '/api/collections/users/records', { email: 'ann@example.com', password: 'annpass123', passwordConfirm: 'annpass123', name: 'Ann' });
    expect(user.status).toBe(200);
    // the email in another case: the lookup folds case as the email's unique index does
    const token = await signIn(a, 'users', 'ANN@example.com', 'annpass123');
    expect((await call(a, 'POST', '/api/collections/users/auth-with-password', { identity: 'ann@example.com', password: 'nope-nope' })).status).toBe(400);
    expect((await call(a, 'GET', `/api/collections/users/records/${user.json.id}`, undefined, token)).json.email).toBe('ann@example.com');

    const client = await connectRaw(a);
    try {
      expect((await client.subscribe(['posts'], { auth: token })).status).toBe(204);
      const post = { title: 'Hello', slug: 'hello', status: 'draft', author: user.json.id };
      expect((await call(a, 'POST', '/api/collections/posts/records', post)).status).toBe(400); // guests may not create
      const created = await call(a, 'POST', '/api/collections/posts/records', post, token);
      expect(created.status).toBe(200);
      const event = await client.waitFor((f) => f.event === 'posts');
      expect(JSON.parse(event.data)).toMatchObject({ action: 'create', record: { id: created.json.id, title: 'Hello' } });

      // a draft is its author's only
      expect((await call(a, 'GET', '/api/collections/posts/records')).json.totalItems).toBe(0);
      expect((await call(a, 'GET', '/api/collections/posts/records', undefined, token)).json.items.map((r: any) => r.slug)).toEqual(['hello']);
      const updated = await call(a, 'PATCH', `/api/collections/posts/records/${created.json.id}`, { status: 'published' }, token);
      expect(updated.json.status).toBe('published');
      const taken = await call(a, 'POST', '/api/collections/posts/records', { ...post, title: 'Again' }, token);
      expect(taken.status).toBe(400);
      expect(taken.json.data.slug.code).toBe('validation_not_unique');
      expect((await call(a, 'GET', `/api/collections/posts/records?filter=${encodeURIComponent("title ~ 'hel'")}`)).json.totalItems).toBe(1);
      expect((await call(a, 'DELETE', `/api/collections/posts/records/${created.json.id}`, undefined, token)).status).toBe(204);
      await client.waitFor((f) => f.event === 'posts' && JSON.parse(f.data).action === 'delete');
    } finally {
      await client.close();
    }
  });

  it('keeps request logs in _logs (list, filter by a data path, stats)', async () => {
    await signInRoot();
    await call(a, 'GET', '/api/collections/nope/records');
    await a.core.logs.flush();
    const failed = await call(a, 'GET', `/api/logs?filter=${encodeURIComponent('data.status >= 400')}&sort=-created`, undefined, root);
    expect(failed.status).toBe(200);
    expect(failed.json.items.length).toBeGreaterThan(0);
    expect(failed.json.items.every((l: any) => l.data.status >= 400)).toBe(true);
    expect(failed.json.items.map((l: any) => l.message)).toContain('GET /api/collections/nope/records');
    const one = await call(a, 'GET', `/api/logs/${failed.json.items[0].id}`, undefined, root);
    expect(one.json.id).toBe(failed.json.items[0].id);
    const stats = await call(a, 'GET', '/api/logs/stats', undefined, root);
    expect(stats.json[0]).toMatchObject({ date: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:00:00\.000Z$/) });
    expect(stats.json.reduce((n: number, s: any) => n + s.total, 0)).toBeGreaterThanOrEqual(failed.json.totalItems);
  });

  it('logs a request whose path holds a NUL byte, and the rest of its batch', async () => {
    await signInRoot();
    // PostgreSQL's text holds no NUL: unescaped into the message it failed the whole batch's INSERT
    await call(a, 'GET', '/api/collections/nope/records/%00nul');
    await call(a, 'GET', '/api/collections/nope/records/beside-nul');
    await a.core.logs.flush();
    const logged = await call(a, 'GET', `/api/logs?filter=${encodeURIComponent('message ~ "/api/collections/nope/records/"')}`, undefined, root);
    expect(logged.json.items.map((l: any) => l.message).sort()).toEqual([
      'GET /api/collections/nope/records/%00nul',
      'GET /api/collections/nope/records/beside-nul',
    ]);
  });

  it('superuser list and delete --database', async () => {
    await signInRoot();
    const target = { dir: newDir(), database: url };
    expect(await upsertSuperuser(target, 'second@example.com', 'secondpass123')).toBe('created');
    expect((await listSuperusers(target))?.superusers.map((su) => su.email).sort()).toEqual(['root@example.com', 'second@example.com']);
    expect((await listSuperusers(target))?.dbFile).toContain('postgres:***@');
    expect(await deleteSuperuser(target, 'SECOND@example.com')).toBe(true);
    expect(await deleteSuperuser(target, 'second@example.com')).toBe(false);
    expect((await listSuperusers(target))?.superusers.map((su) => su.email)).toEqual(['root@example.com']);
  });

  it('claims a cron minute for one instance (_galley_cron_claims)', async () => {
    const claim = createPostgresCronClaims(a.core.db.read);
    const minute = Date.UTC(2026, 0, 1, 10, 0);
    // two instances claiming the same minute at once: one gets it
    const [first, second, other] = await Promise.all([claim('job', minute), claim('job', minute), claim('other', minute)]);
    expect([first, second].sort()).toEqual([false, true]);
    expect(other).toBe(true);
    expect(await claim('job', minute + 60_000)).toBe(true);
  });

  it('answers 400 for what works on SQLite only, saying why', async () => {
    await signInRoot();
    const console = await call(a, 'POST', '/api/sql', { query: 'SELECT 1' }, root);
    expect(console.status).toBe(400);
    expect(console.json.message).toMatch(/PostgreSQL/);
    const backup = await call(a, 'POST', '/api/backups', {}, root);
    expect(backup.status).toBe(400);
    expect(backup.json.message).toMatch(/pg_dump/);
    expect((await call(a, 'GET', '/api/backups', undefined, root)).json).toEqual([]);
  });

  it('realtime crosses instances: a write on A reaches a subscriber on B, a large one too, and A hears itself once', async () => {
    const b = await start({ database: url, settings: { s3: S3 } });
    const user = await call(a, 'POST', '/api/collections/users/records', { email: 'bo@example.com', password: 'bopass1234', passwordConfirm: 'bopass1234' });
    expect(user.status).toBe(200);
    const onA = await connectRaw(a);
    const onB = await connectRaw(b);
    const guestOnB = await connectRaw(b);
    try {
      // signed in on B, used on A too: the token secrets are the database's
      const token = await signIn(b, 'users', 'bo@example.com', 'bopass1234');
      expect((await onB.subscribe(['posts'], { auth: token })).status).toBe(204);
      expect((await guestOnB.subscribe(['posts'])).status).toBe(204);
      expect((await onA.subscribe(['posts'], { auth: token })).status).toBe(204);
      const small = await call(a, 'POST', '/api/collections/posts/records', { title: 'Small', slug: 'small', status: 'draft', author: user.json.id }, token);
      // past PostgreSQL's 8000-byte NOTIFY payload: sent through _galley_events
      const body = 'x'.repeat(20_000);
      const large = await call(a, 'POST', '/api/collections/posts/records', { title: 'Large', slug: 'large', status: 'draft', author: user.json.id, body }, token);
      expect((await call(a, 'DELETE', `/api/collections/posts/records/${small.json.id}`, undefined, token)).status).toBe(204);
      await onB.waitFor((f) => f.event === 'posts' && JSON.parse(f.data).action === 'delete');
      const seen = onB.events().map((e) => [e.data.action, e.data.record.id, e.data.record.body?.length ?? 0]);
      expect(seen).toEqual([['create', small.json.id, 0], ['create', large.json.id, body.length], ['delete', small.json.id, 0]]);
      // drafts are their author's only: B checked the rule for each of its own subscribers
      await guestOnB.sync();
      expect(guestOnB.events()).toEqual([]);
      await onA.waitFor((f) => f.event === 'posts' && JSON.parse(f.data).action === 'delete');
      await onA.sync();
      expect(onA.events().map((e) => e.data.action)).toEqual(['create', 'create', 'delete']);
    } finally {
      await onA.close();
      await onB.close();
      await guestOnB.close();
      await b.close();
    }
  });

  it('a second instance (GALLEY_DATABASE_URL) follows settings saves; local files beside it are refused', async () => {
    await signInRoot();
    const b = await start({ env: { GALLEY_DATABASE_URL: url }, settings: { s3: S3 } });
    expect(b.core.db.dialect.name).toBe('postgres');
    const saved = await call(a, 'PATCH', '/api/settings', { meta: { appName: 'Renamed on A' } }, root);
    expect(saved.status).toBe(200);
    await expect.poll(() => b.core.settings.current().meta.appName, { timeout: 10_000 }).toBe('Renamed on A');

    // the listener connections cut (a database restart, a network cut): made again, the files lock taken again,
    // and a save made meanwhile still reaches B (read again on resume, or heard once it listens again)
    const listeners = sql<{ n: number }>`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'galley listener' AND datname = current_database()`;
    const sharedLocks = sql<{ n: number }>`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ShareLock' AND granted`;
    const count = async (q: typeof listeners) => (await q.execute(a.core.db.read)).rows[0]!.n;
    expect(await count(listeners)).toBe(2);
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'galley listener' AND datname = current_database()`.execute(a.core.db.read);
    expect((await call(a, 'PATCH', '/api/settings', { meta: { appName: 'Renamed while cut' } }, root)).status).toBe(200);
    await expect.poll(() => b.core.settings.current().meta.appName, { timeout: 10_000 }).toBe('Renamed while cut');
    await expect.poll(() => count(sharedLocks), { timeout: 10_000 }).toBe(2);

    // files on local disk beside another instance: refused at start (A's save stored S3 on: C turns it off), and by a settings save
    await expect(start({ database: url, settings: { s3: { enabled: false } } })).rejects.toThrow(/files must live on S3/);
    const local = await call(a, 'PATCH', '/api/settings', { s3: { enabled: false } }, root);
    expect(local.status).toBe(400);
    expect(local.json.message).toMatch(/S3/);
    expect(a.core.settings.current().s3.enabled).toBe(true);
    await b.close();
    // alone again: local files are allowed
    expect((await call(a, 'PATCH', '/api/settings', { s3: { enabled: false } }, root)).status).toBe(200);
  });

  // last: the instances started after it would have to carry the new collection
  it('galley migrate --database: plan, apply (the running instance follows), status, history', async () => {
    const blog = readExample('blog.json') as { collections?: unknown[] } | unknown[];
    const collections = Array.isArray(blog) ? blog : blog.collections!;
    const schemaFile = join(newDir(), 'schema.json');
    writeFileSync(schemaFile, JSON.stringify([...collections, { name: 'extras', listRule: '', viewRule: '', fields: [{ name: 'label', type: 'text' }] }]));
    const planned = await previewMigration({ database: url, schemaFile });
    expect(planned.dbFile).toContain('postgres:***@');
    expect(planned.plan.steps.map((step) => step.description)).toEqual([expect.stringMatching(/^create table "extras"/)]);
    const applied = await applyMigration({ database: url, schemaFile });
    expect(applied.steps).toHaveLength(1);
    await expect.poll(async () => (await call(a, 'GET', '/api/collections/extras/records')).status, { timeout: 10_000 }).toBe(200);
    expect((await previewMigration({ database: url, schemaFile })).plan.steps).toEqual([]);
    expect((await listMigrationHistory({ database: url })).migrations.at(-1)?.id).toBe(applied.historyId);
  });

  // after the settings test: A is alone with files on its local disk
  it('the orphan sweep leaves young files alone on PostgreSQL (another instance may be uploading them)', async () => {
    const users = a.core.schema.findCollection('users')!;
    const young = `${users.id}/nosuchrecord01/young_abcdefghij.txt`;
    const old = `${users.id}/nosuchrecord01/old_abcdefghij.txt`;
    for (const key of [young, old]) await a.core.storage.put(key, new TextEncoder().encode('x'));
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(a.core.config.dir, 'storage', old), twoHoursAgo, twoHoursAgo);
    const report = await sweepOrphanFiles(a.core);
    expect(report.removed).toBe(1);
    const left: string[] = [];
    for await (const o of a.core.storage.list(`${users.id}/`)) left.push(o.key);
    expect(left).toEqual([young]);
  });
});
