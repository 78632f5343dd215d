// Record hooks (issue 14) through createGalley({ hooks }) under Bun and Node: the request, model and after-commit
// points of the one record-write pipeline, with a hooks function as a hooks file default-exports it.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, type Galley, type HooksApp } from '../../src/index.ts';
import { callGalley } from '../helpers/test-galley.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

const schema = [
  {
    name: 'posts',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'slug', type: 'text' },
      { name: 'published', type: 'bool' },
    ],
    indexes: ["CREATE UNIQUE INDEX idx_posts_slug ON posts (slug) WHERE slug != ''"],
  },
  { name: 'audit', type: 'base', listRule: '', viewRule: '', fields: [{ name: 'note', type: 'text' }, { name: 'post', type: 'relation', collectionId: 'posts', maxSelect: 1 }] },
  { name: 'members', type: 'auth', createRule: '', viewRule: 'id = @request.auth.id', fields: [{ name: 'nick', type: 'text' }] },
];

let galley: Galley;
let dir: string;
let webhook: Server;
let webhookUrl = '';
const webhookCalls: string[] = [];
const errors: string[] = [];
const afterCreates: string[] = [];

function setup(app: HooksApp): void {
  app.onRecordCreateRequest(async (e) => {
    const title = String(e.record.get('title') ?? '');
    if (title === 'teapot') return e.json(418, { answeredBy: 'hook' });
    e.record.set('slug', title.toLowerCase().replaceAll(' ', '-'));
    await e.next();
  }, 'posts');
  app.onRecordValidate(async (e) => {
    if (e.record.get('title') === 'forbidden words') {
      throw new app.BadRequestError('Failed to create record.', { title: new app.ValidationError('validation_bad_words', 'Mind your language.') });
    }
    await e.next();
  }, 'posts');
  app.onRecordCreate(async (e) => {
    const audit = app.newRecord('audit', { note: `created ${String(e.record.title)}` });
    await app.save(audit);
    await e.next();
  }, 'posts');
  app.onRecordCreate(async (e) => {
    if (e.record.get('title') === 'boom') throw new Error('model hook exploded');
    await e.next();
  }, 'posts');
  app.onRecordCreate(async (e) => {
    if (e.record.get('title') === 'net') await fetch(webhookUrl);
    if (e.record.get('title') === 'slow') for (const until = performance.now() + 25; performance.now() < until; );
    await e.next();
  }, 'posts');
  // around the write: after e.next() the row is stored (a relation to it validates), a throw there undoes both
  app.onRecordCreate(async (e) => {
    const title = String(e.record.get('title'));
    if (title === 'skip me') return;
    // a nested save whose own hook throws after its write: that save is undone, this one goes on
    if (title === 'catches') await app.save(app.newRecord('posts', { title: 'after boom' })).catch(() => undefined);
    await e.next();
    if (!title.startsWith('after ')) return;
    const stored = await app.findRecordById('posts', e.record.id);
    await app.save(app.newRecord('audit', { note: `stored ${String(stored.get('title'))}`, post: e.record.id }));
    if (title === 'after boom') throw new app.BadRequestError('Refused after the write.');
  }, 'posts');
  app.onRecordUpdate(async (e) => {
    await e.next();
    if (e.record.get('published') === true) await app.save(app.newRecord('audit', { note: `published ${String(e.record.get('title'))}` }));
  }, 'posts');
  app.onRecordDelete(async (e) => {
    await e.next();
    await app.save(app.newRecord('audit', { note: `deleted ${String(e.record.get('title'))}, ${await app.countRecords('posts', 'id = {:id}', { id: e.record.id })} left` }));
  }, 'posts');
  app.onRecordAfterCreateSuccess(async (e) => {
    afterCreates.push(String(e.record.get('title')));
    await e.next();
  }, 'posts');
  app.onRecordViewRequest(async (e) => {
    e.record.set('note', String(e.record.get('note')).toUpperCase());
    await e.next();
  }, 'audit');
  app.onRecordListRequest(async (e) => {
    if (e.auth === null && e.result) e.result['seenBy'] = `list hook, ${e.records?.length} records`;
    await e.next();
  }, 'posts');
  app.onRecordAuthRequest(async (e) => {
    if (e.record.get('nick') === 'banned') throw new app.ForbiddenError('Banned.');
    e.meta = { greeting: `hello ${String(e.record.get('nick'))}` };
    await e.next();
  }, 'members');
  app.onRecordAuthRefreshRequest(async (e) => {
    if (e.record.get('nick') === 'frozen') throw new app.UnauthorizedError('Sign in again.');
    await e.next();
  }, 'members');
  app.onRecordAfterUpdateSuccess(async (e) => {
    if (e.record.get('published') === true) {
      const res = await fetch(`${webhookUrl}/published/${e.record.id}`, { method: 'POST' });
      await res.text();
    }
    await e.next();
  }, 'posts');
}

beforeAll(async () => {
  webhook = createServer((req, res) => {
    webhookCalls.push(req.url ?? '');
    res.end('ok');
  });
  await new Promise<void>((ready) => webhook.listen(0, '127.0.0.1', ready));
  const address = webhook.address();
  webhookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  dir = mkdtempSync(join(tmpdir(), 'galley-hooks-'));
  galley = await createGalley({ dir, schema, hooks: setup, logger: createTestLogger('warn', (line) => errors.push(line)) });
});

afterAll(async () => {
  await galley?.close();
  rmSync(dir, { recursive: true, force: true });
  await new Promise((done) => webhook.close(done));
});

const call = (method: string, path: string, body?: unknown) => callGalley(galley, method, path, { body });
const auditNotes = async () => ((await call('GET', '/api/collections/audit/records?sort=created')).json.items as Array<{ note: string }>).map((i) => i.note);

describe('record hooks', () => {
  it('a request hook changes the body: the slug is stored; a model hook wrote an audit record in the same transaction', async () => {
    const res = await call('POST', '/api/collections/posts/records', { title: 'Hello World' });
    expect(res.status).toBe(200);
    expect(res.json.slug).toBe('hello-world');
    expect(await auditNotes()).toContain('created Hello World');
  });

  it('a request hook answers itself: nothing is written', async () => {
    const before = (await call('GET', '/api/collections/posts/records')).json.totalItems;
    const res = await call('POST', '/api/collections/posts/records', { title: 'teapot' });
    expect(res.status).toBe(418);
    expect(res.json).toEqual({ answeredBy: 'hook' });
    expect((await call('GET', '/api/collections/posts/records')).json.totalItems).toBe(before);
  });

  it('a validation hook fails a create with a field error in PocketBase\'s shape', async () => {
    const res = await call('POST', '/api/collections/posts/records', { title: 'forbidden words' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ status: 400, message: 'Failed to create record.', data: { title: { code: 'validation_bad_words', message: 'Mind your language.' } } });
    expect(await auditNotes()).not.toContain('created forbidden words');
  });

  it('a model hook that throws rolls back the write and the record another model hook saved with it; the answer is the generic 400 and the stack is logged', async () => {
    const res = await call('POST', '/api/collections/posts/records', { title: 'boom' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ status: 400, message: 'Something went wrong while processing your request.', data: {} });
    expect(await auditNotes()).not.toContain('created boom');
    expect((await call('GET', `/api/collections/posts/records?filter=${encodeURIComponent("title='boom'")}`)).json.totalItems).toBe(0);
    expect(errors.some((line) => line.includes('onRecordCreate') && line.includes('model hook exploded'))).toBe(true);
  });

  it('fetch inside a model hook is refused, naming the hook', async () => {
    const res = await call('POST', '/api/collections/posts/records', { title: 'net' });
    expect(res.status).toBe(400);
    expect(webhookCalls).not.toContain('/');
    expect(errors.some((line) => line.includes('fetch inside the model hook onRecordCreate'))).toBe(true);
  });

  it('a model hook over 10 ms is logged as a warning naming it; the write stands', async () => {
    expect((await call('POST', '/api/collections/posts/records', { title: 'slow' })).status).toBe(200);
    expect(errors.some((line) => line.includes('WARN') && line.includes('model hook onRecordCreate on posts took'))).toBe(true);
  });

  it('an after-commit hook calling an HTTP server is done before the update is answered', async () => {
    const created = await call('POST', '/api/collections/posts/records', { title: 'To publish' });
    const res = await call('PATCH', `/api/collections/posts/records/${created.json.id}`, { published: true });
    expect(res.status).toBe(200);
    expect(webhookCalls).toContain(`/published/${created.json.id}`);
    // onRecordUpdate after e.next(): e.record is the stored row, the title the PATCH did not send included
    expect(await auditNotes()).toContain('published To publish');
  });

  it('code after e.next() in onRecordCreate sees the row written: it reads it and saves a record relating to it', async () => {
    const res = await call('POST', '/api/collections/posts/records', { title: 'after write' });
    expect(res.status).toBe(200);
    const audit = await call('GET', `/api/collections/audit/records?filter=${encodeURIComponent("note='stored after write'")}`);
    expect(audit.json.items.map((i: { post: string }) => i.post)).toEqual([res.json.id]);
  });

  it('a throw after e.next() rolls back the write and the records the hooks saved before and after it', async () => {
    const res = await call('POST', '/api/collections/posts/records', { title: 'after boom' });
    expect(res.json).toEqual({ status: 400, message: 'Refused after the write.', data: {} });
    expect((await call('GET', `/api/collections/posts/records?filter=${encodeURIComponent("title='after boom'")}`)).json.totalItems).toBe(0);
    const notes = await auditNotes();
    expect(notes).not.toContain('created after boom');
    expect(notes).not.toContain('stored after boom');
  });

  it('a nested app.save whose hook throws after its write is undone alone: the outer write that caught it commits', async () => {
    const res = await call('POST', '/api/collections/posts/records', { title: 'catches' });
    expect(res.status).toBe(200);
    expect((await call('GET', `/api/collections/posts/records/${res.json.id}`)).status).toBe(200);
    expect((await call('GET', `/api/collections/posts/records?filter=${encodeURIComponent("title='after boom'")}`)).json.totalItems).toBe(0);
    const notes = await auditNotes();
    expect(notes).toContain('created catches');
    expect(notes).not.toContain('created after boom');
    expect(notes).not.toContain('stored after boom');
  });

  it('a write that fails inside the chain (a unique index) answers its own error and takes the record a model hook saved before it', async () => {
    expect((await call('POST', '/api/collections/posts/records', { title: 'Twice Told' })).status).toBe(200);
    const again = await call('POST', '/api/collections/posts/records', { title: 'twice told' });
    expect(again.status).toBe(400);
    expect(again.json.data.slug.code).toBe('validation_not_unique');
    expect((await auditNotes()).filter((n) => n.toLowerCase() === 'created twice told')).toHaveLength(1);
  });

  it('a model hook that does not call e.next() skips the write without an error, as PocketBase; the after-commit hooks still run', async () => {
    const res = await call('POST', '/api/collections/posts/records', { title: 'skip me' });
    expect(res.status).toBe(200);
    expect((await call('GET', `/api/collections/posts/records/${res.json.id}`)).status).toBe(404);
    expect(afterCreates).toContain('skip me');
  });

  it('code after e.next() in onRecordDelete sees the row gone', async () => {
    const created = await call('POST', '/api/collections/posts/records', { title: 'Short lived' });
    expect((await call('DELETE', `/api/collections/posts/records/${created.json.id}`)).status).toBe(204);
    expect(await auditNotes()).toContain('deleted Short lived, 0 left');
  });

  it('view and list request hooks change the answer before it is sent', async () => {
    const [first] = (await call('GET', '/api/collections/audit/records?perPage=1')).json.items as Array<{ id: string; note: string }>;
    const viewed = await call('GET', `/api/collections/audit/records/${first!.id}`);
    expect(viewed.json.note).toBe(first!.note.toUpperCase());
    const listed = await call('GET', '/api/collections/posts/records?perPage=2');
    expect(listed.json.seenBy).toBe(`list hook, ${listed.json.items.length} records`);
  });

  it('onRecordAuthRequest adds meta to a sign-in and refuses one by throwing; onRecordAuthRefreshRequest sees the signed-in record and refuses a refresh', async () => {
    const member = (nick: string) => ({ email: `${nick}@example.com`, password: 'password123', passwordConfirm: 'password123', nick });
    expect((await call('POST', '/api/collections/members/records', member('ann'))).status).toBe(200);
    expect((await call('POST', '/api/collections/members/records', member('banned'))).status).toBe(200);
    const ok = await call('POST', '/api/collections/members/auth-with-password', { identity: 'ann@example.com', password: 'password123' });
    expect(ok.status).toBe(200);
    expect(ok.json.meta).toEqual({ greeting: 'hello ann' });
    expect(ok.json.record.nick).toBe('ann');
    const refused = await call('POST', '/api/collections/members/auth-with-password', { identity: 'banned@example.com', password: 'password123' });
    expect(refused.json).toEqual({ status: 403, message: 'Banned.', data: {} });
    const refreshed = await callGalley(galley, 'POST', '/api/collections/members/auth-refresh', { auth: ok.json.token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.record.nick).toBe('ann');
    expect((await call('POST', '/api/collections/members/records', member('frozen'))).status).toBe(200);
    const frozen = await call('POST', '/api/collections/members/auth-with-password', { identity: 'frozen@example.com', password: 'password123' });
    const refusedRefresh = await callGalley(galley, 'POST', '/api/collections/members/auth-refresh', { auth: frozen.json.token });
    expect(refusedRefresh.json).toEqual({ status: 401, message: 'Sign in again.', data: {} });
  });

  it('app finders read with bound parameters', async () => {
    const found: string[] = [];
    const probe = await createGalley({
      dir: mkdtempSync(join(tmpdir(), 'galley-hooks-probe-')),
      schema,
      logger: createTestLogger(),
      hooks: (app) => {
        app.onRecordAfterCreateSuccess(async (e) => {
          const again = await app.findFirstRecordByFilter('posts', 'title = {:t}', { t: e.record.get('title') as string });
          const many = await app.findRecordsByFilter('posts', "title != {:x}", '-created', 10, 0, { x: "it's" });
          found.push(`${again.id === e.record.id} ${many.length} ${await app.countRecords('posts', 'title = {:t}', { t: "O'Hara" })}`);
          await e.next();
        });
      },
    });
    try {
      const res = await callGalley(probe, 'POST', '/api/collections/posts/records', { body: { title: "O'Hara" } });
      expect(res.status).toBe(200);
      expect(found).toEqual(['true 1 1']);
    } finally {
      const probeDir = probe.core.config.dir;
      await probe.close();
      rmSync(probeDir, { recursive: true, force: true });
    }
  });
});
