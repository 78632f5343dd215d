// The other hook families (issue 14) through createGalley({ hooks }) under Bun and Node: custom routes with the
// built-in request context, cron jobs on the scheduler, mail hooks (change, veto) against a loopback SMTP server,
// realtime connect/subscribe/message hooks, and a reload swapping routes and jobs whole. One Galley for the file;
// a few short-lived ones for what only a start shows. The lifecycle hooks: lifecycle-hooks.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, type Galley, type HooksApp } from '../../src/index.ts';
import { loadHooksRegistry } from '../../src/hooks-file/load-hooks.ts';
import { smtpSettings, startTestSmtp, type TestSmtp } from '../auth/smtp.ts';
import { callGalley, signUp, superuserToken, type TestGalley } from '../helpers/test-galley.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { connectRaw } from '../realtime/sse-client.ts';

const schema = [
  {
    name: 'users',
    type: 'auth',
    listRule: 'id = @request.auth.id',
    viewRule: 'id = @request.auth.id',
    createRule: '',
    fields: [{ name: 'name', type: 'text' }],
  },
  { name: 'members', type: 'auth', createRule: '', fields: [] },
  { name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] },
];

/** a small body limit, so that the raw-body test can pass it cheaply */
const BODY_LIMIT = 64 * 1024;

let t: TestGalley;
let smtp: TestSmtp;
const vetoed: string[] = [];
let vetoSeen!: () => void;
const vetoDone = new Promise<void>((resolve) => (vetoSeen = resolve));
let cronRan!: () => void;
const cronRun = new Promise<void>((resolve) => (cronRan = resolve));

function setup(app: HooksApp): void {
  app.routerAdd(
    'GET',
    '/api/hello/{name}',
    (e) => e.json(200, { hello: e.request.pathValue('name'), missing: e.request.pathValue('nope'), auth: e.auth?.id, collection: e.auth?.collection().name }),
    app.requireAuth('users'),
  );
  app.routerAdd('GET', '/api/me', (e) => e.json(200, e.auth), app.requireAuth('users'));
  app.routerAdd('POST', '/api/raw-json', async (e) => e.json(200, { keys: Object.keys((await e.request.json()) as object).length }));
  app.routerAdd('GET', '/api/admin-stats', async (e) => e.json(200, { posts: await app.countRecords('posts') }), app.requireSuperuserAuth());
  app.routerAdd('POST', '/api/echo', async (e) => {
    const info = await e.requestInfo();
    return e.json(201, { body: info.body, query: info.query, ip: e.realIP() });
  });
  app.routerAdd('GET', '/plain/{rest...}', (e) => e.string(200, `rest=${e.request.pathValue('rest')}`));
  app.routerAdd('GET', '/api/own-response', () => new Response('teapot', { status: 418 }));
  app.routerAdd('GET', '/api/throws', () => {
    throw new app.BadRequestError('Nope.', { field: new app.ValidationError('validation_nope', 'Not this.') });
  });
  app.routerUse(async (e) => {
    if (e.request.headers.get('x-block') === '1') return e.json(451, { blocked: true });
    await e.next();
  });

  app.cronAdd('cleanup', '0 3 * * *', () => cronRan());

  app.onMailerRecordPasswordResetSend(async (e) => {
    e.message.subject = `Reset for ${String(e.record.get('email'))} (${typeof e.meta['token']})`;
    await e.next();
  }, 'users');
  app.onMailerSend(async (e) => {
    const to = e.message.to[0]!.address;
    if (to.startsWith('vetoed')) {
      vetoed.push(to);
      vetoSeen();
      return;
    }
    await e.next();
  });

  app.onRealtimeConnectRequest(async (e) => {
    if (e.request.headers.get('x-deny') === '1') throw new app.ForbiddenError('No streams for you.');
    await e.next();
  });
  app.onRealtimeSubscribeRequest(async (e) => {
    if (e.subscriptions.includes('secret')) throw new app.ForbiddenError('Not that topic.');
    e.subscriptions = e.subscriptions.filter((s) => s !== 'dropped/*');
    await e.next();
  });
  app.onRealtimeMessageSend(async (e) => {
    if (e.message.name === 'posts/*') e.message.data = JSON.stringify({ ...JSON.parse(e.message.data), stamped: e.client.id });
    await e.next();
  });
}

async function start(hooks: (app: HooksApp) => void, settings?: object): Promise<TestGalley> {
  const dir = mkdtempSync(join(tmpdir(), 'galley-hooks-families-'));
  let galley: Galley;
  try {
    galley = await createGalley({ dir, schema, env: {}, logger: createTestLogger(), hooks, maxBodySize: BODY_LIMIT, ...(settings ? { settings } : {}) });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    galley,
    dir,
    call: (method, path, opts) => callGalley(galley, method, path, opts),
    async close() {
      await galley.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await start(setup, { ...smtpSettings(smtp), meta: { appName: 'Hooks Test', senderName: 'Robot', senderAddress: 'robot@galley.test' } });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe('custom routes', () => {
  it('answer with the built-in request context: a guest 401, another collection 403, a user 200 with e.auth and path values', async () => {
    const guest = await t.call('GET', '/api/hello/ann');
    expect(guest.status).toBe(401);
    expect(guest.json).toEqual({ status: 401, message: 'The request requires valid record authorization token.', data: {} });
    const member = await signUp(t, 'members', { email: 'm@example.com' });
    const other = await t.call('GET', '/api/hello/ann', { auth: member.token });
    expect(other.status).toBe(403);
    const user = await signUp(t, 'users', { email: 'u@example.com' });
    const ok = await t.call('GET', '/api/hello/b%20c', { auth: user.token });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ hello: 'b c', missing: '', auth: user.id, collection: 'users' });
    // PocketBase's ?fields= projection applies to e.json
    expect((await t.call('GET', '/api/hello/ann?fields=hello', { auth: user.token })).json).toEqual({ hello: 'ann' });
    expect((await t.call('GET', '/api/admin-stats', { auth: user.token })).status).toBe(403);
    const root = await superuserToken(t);
    expect(await t.call('GET', '/api/admin-stats', { auth: root })).toMatchObject({ status: 200, json: { posts: 0 } });
  });

  it('answer a whole e.auth as PocketBase exports a record: no password hash, tokenKey or hidden email', async () => {
    const user = await signUp(t, 'users', { email: 'whole@example.com', name: 'Whole' });
    const me = await t.call('GET', '/api/me', { auth: user.token });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ id: user.id, name: 'Whole', collectionName: 'users', verified: false, emailVisibility: false });
    for (const secret of ['password', 'tokenKey', 'email']) expect(me.json).not.toHaveProperty(secret);
    expect(me.text).not.toContain('$argon2');
  });

  it('read e.request’s raw body within the body limit, as a built-in route’s body: past it a 413, never a whole read', async () => {
    expect(await t.call('POST', '/api/raw-json', { body: { a: 1, b: 2 } })).toMatchObject({ status: 200, json: { keys: 2 } });
    const big = { blob: 'x'.repeat(BODY_LIMIT) };
    const refused = await t.call('POST', '/api/raw-json', { body: big });
    expect(refused.status).toBe(413);
    expect(refused.json).toMatchObject({ status: 413, data: {} });
  });

  it('read the body and query, answer text, a Response of their own, or an error in PocketBase’s shape', async () => {
    expect(await t.call('POST', '/api/echo?x=1', { body: { a: 2 } })).toMatchObject({ status: 201, json: { body: { a: 2 }, query: { x: '1' } } });
    const text = await t.call('GET', '/plain/a/b.txt');
    expect([text.status, text.text, text.headers.get('content-type')]).toEqual([200, 'rest=a/b.txt', 'text/plain; charset=utf-8']);
    expect(await t.call('GET', '/api/own-response')).toMatchObject({ status: 418, text: 'teapot' });
    const failed = await t.call('GET', '/api/throws');
    expect(failed.json).toEqual({ status: 400, message: 'Nope.', data: { field: { code: 'validation_nope', message: 'Not this.' } } });
  });

  it('go through routerUse middlewares; built-in routes and unknown paths are untouched', async () => {
    expect(await t.call('POST', '/api/echo', { body: {}, headers: { 'x-block': '1' } })).toMatchObject({ status: 451, json: { blocked: true } });
    expect((await t.call('GET', '/api/health', { headers: { 'x-block': '1' } })).status).toBe(200);
    expect(await t.call('GET', '/api/nothing-here')).toMatchObject({ status: 404, json: { status: 404, message: "The requested resource wasn't found.", data: {} } });
    expect((await t.call('DELETE', '/api/hello/ann')).status).toBe(404);
  });

  it('that clash with a built-in route fail the load with a message naming both', async () => {
    await expect(start((app) => app.routerAdd('GET', '/api/collections/{name}/records', () => {}))).rejects.toThrow(
      /routerAdd GET \/api\/collections\/\{name\}\/records clashes with the built-in route GET \/api\/collections\/:collection\/records/,
    );
  });
});

describe('cron jobs', () => {
  it('are listed before the built-ins and run through POST /api/crons/{id}', async () => {
    const root = await superuserToken(t);
    const list = await t.call('GET', '/api/crons', { auth: root });
    expect(list.json[0]).toMatchObject({ id: 'cleanup', expression: '0 3 * * *' });
    expect(list.json.slice(1).every((j: { id: string }) => j.id.startsWith('__pb'))).toBe(true);
    expect((await t.call('POST', '/api/crons/cleanup', { auth: root })).status).toBe(204);
    await cronRun;
  });

  it('with a bad expression fail the load naming the job', async () => {
    await expect(start((app) => app.cronAdd('nightly', '0 3 * *', () => {}))).rejects.toThrow(/cron job "nightly": Invalid cron expression/);
  });
});

describe('mail hooks', () => {
  it('change a template’s subject and veto a mail (not sent, the request still answered)', async () => {
    await signUp(t, 'users', { email: 'vetoed@example.com' });
    await signUp(t, 'users', { email: 'alice@example.com' });
    expect((await t.call('POST', '/api/collections/users/request-password-reset', { body: { email: 'vetoed@example.com' } })).status).toBe(204);
    await vetoDone;
    expect(vetoed).toEqual(['vetoed@example.com']);
    expect((await t.call('POST', '/api/collections/users/request-password-reset', { body: { email: 'alice@example.com' } })).status).toBe(204);
    const mail = await smtp.waitFor((m) => m.to.includes('alice@example.com'));
    expect(mail.subject).toBe('Reset for alice@example.com (string)');
    expect(smtp.mails.some((m) => m.to.includes('vetoed@example.com'))).toBe(false);
  });
});

describe('realtime hooks', () => {
  it('refuse a connection, refuse or change subscriptions, and change a message', async () => {
    const refused = await t.galley.handle(new Request('http://127.0.0.1:8090/api/realtime', { headers: { 'x-deny': '1' } }));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ status: 403, message: 'No streams for you.', data: {} });

    const client = await connectRaw(t.galley);
    try {
      const secret = await client.subscribe(['secret']);
      expect(secret.status).toBe(403);
      expect((await client.subscribe(['posts/*', 'dropped/*'])).status).toBe(204);
      const created = await t.call('POST', '/api/collections/posts/records', { body: { title: 'hi' } });
      const frame = await client.waitFor((f) => f.event === 'posts/*');
      expect(JSON.parse(frame.data)).toMatchObject({ action: 'create', record: { id: created.json.id, title: 'hi' }, stamped: client.clientId });
    } finally {
      await client.close();
    }
  });
});

describe('a reload', () => {
  it('swaps the routes and cron jobs whole; a load that fails changes nothing', async () => {
    const g = await start((app) => {
      app.routerAdd('GET', '/api/v', (e) => e.json(200, { v: 1 }));
      app.routerAdd('GET', '/api/only-in-1', (e) => e.json(200, {}));
      app.cronAdd('job1', '@daily', () => {});
    });
    try {
      const core = g.galley.core;
      const root = await superuserToken(g);
      const ids = async () => ((await g.call('GET', '/api/crons', { auth: root })).json as Array<{ id: string }>).map((j) => j.id).filter((id) => !id.startsWith('__pb'));
      expect(await ids()).toEqual(['job1']);
      await expect(loadHooksRegistry(core, (app) => {
        app.cronAdd('job2', '@daily', () => {});
        app.routerAdd('GET', '/api/health', () => {});
      })).rejects.toThrow(/clashes with the built-in route GET \/api\/health/);
      expect((await g.call('GET', '/api/v')).json).toEqual({ v: 1 });
      expect(await ids()).toEqual(['job1']);

      const next = await loadHooksRegistry(core, (app) => {
        app.routerAdd('GET', '/api/v', (e) => e.json(200, { v: 2 }));
        app.cronAdd('job2', '@hourly', () => {});
      });
      await core.hooks.useRegistry(next, core.log).dispose();
      expect((await g.call('GET', '/api/v')).json).toEqual({ v: 2 });
      expect((await g.call('GET', '/api/only-in-1')).status).toBe(404);
      expect(await ids()).toEqual(['job2']);
    } finally {
      await g.close();
    }
  });
});
