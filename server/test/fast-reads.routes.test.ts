// The fetch handler's fast reads (http/fast-reads.ts, issue 16): GET …/records and GET …/records/{id} answered
// without the router must answer byte-for-byte what the router answers. Every request of the table goes through
// two fetch handlers on one Galley, one with the fast reads and one without, and status, headers, body and the
// request log's entry must be the same; a counting router shows which requests skipped it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchHandler, type PeerInfo, type RouterApp } from '../src/http/app.ts';
import { createGalley, upsertSuperuser, type Galley, type HooksApp } from '../src/index.ts';
import { callGalley } from './helpers/test-galley.ts';
import { dropTestDatabaseOf, testDatabaseFor } from './helpers/test-database.ts';
import { createTestLogger } from './helpers/test-logger.ts';

const SCHEMA = [
  {
    name: 'tags',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: '',
    fields: [{ name: 'label', type: 'text' }],
  },
  {
    name: 'items',
    type: 'base',
    listRule: "category != 'hidden'",
    viewRule: "category != 'hidden'",
    createRule: '',
    fields: [
      { name: 'category', type: 'text', required: true },
      { name: 'tag', type: 'relation', collectionId: 'tags', maxSelect: 1 },
      { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
    ],
  },
  { name: 'locked', type: 'base', listRule: null, viewRule: null, createRule: '', fields: [{ name: 'note', type: 'text' }] },
  {
    name: 'users',
    type: 'auth',
    listRule: 'id = @request.auth.id',
    viewRule: 'id = @request.auth.id',
    createRule: '',
    fields: [{ name: 'name', type: 'text' }],
  },
];

/** Read hooks on `tags` only: a view hook that changes the record, a list hook that adds to the answer. */
function readHooks(app: HooksApp): void {
  app.onRecordViewRequest(async (e) => {
    e.record.set('label', String(e.record.get('label')).toUpperCase());
    await e.next();
  }, 'tags');
  app.onRecordListRequest(async (e) => {
    if (e.result) e.result['seenBy'] = 'list hook';
    await e.next();
  }, 'tags');
}

let galley: Galley;
let dir = '';
let routerCalls = 0;
let fast: (request: Request, peer?: PeerInfo) => Promise<Response>;
let routed: (request: Request, peer?: PeerInfo) => Promise<Response>;
const ids: Record<string, string> = {};
let root = '';
let alice = { id: '', token: '' };
let bob = { id: '', token: '' };

const call = (method: string, path: string, opts: { body?: unknown; auth?: string } = {}) => callGalley(galley, method, path, opts);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-fast-reads-'));
  const database = await testDatabaseFor(dir);
  galley = await createGalley({ dir, database, schema: SCHEMA, env: {}, logger: createTestLogger(), hooks: readHooks as never });
  const app = galley.app;
  const counting: RouterApp = {
    routes: app.routes,
    fetch: ((request: Request) => {
      routerCalls++;
      return app.fetch(request);
    }) as RouterApp['fetch'],
  };
  fast = createFetchHandler(galley.core, counting);
  routed = createFetchHandler(galley.core, app, { fastReads: false });

  ids['tag'] = (await call('POST', '/api/collections/tags/records', { body: { label: 'red' } })).json.id;
  ids['visible'] = (await call('POST', '/api/collections/items/records', { body: { category: 'shown', tag: ids['tag'] } })).json.id;
  ids['hidden'] = (await call('POST', '/api/collections/items/records', { body: { category: 'hidden' } })).json.id;
  ids['locked'] = (await call('POST', '/api/collections/locked/records', { body: { note: 'secret' } })).json.id;
  for (const [name, email] of [['alice', 'alice@example.com'], ['bob', 'bob@example.com']] as const) {
    const password = 'password123';
    const created = await call('POST', '/api/collections/users/records', { body: { email, password, passwordConfirm: password, name } });
    const login = await call('POST', '/api/collections/users/auth-with-password', { body: { identity: email, password } });
    expect(login.status, login.text).toBe(200);
    if (name === 'alice') alice = { id: created.json.id, token: login.json.token };
    else bob = { id: created.json.id, token: login.json.token };
  }
  await upsertSuperuser({ dir, database }, 'root@example.com', 'rootpass123');
  const su = await call('POST', '/api/collections/_superusers/auth-with-password', { body: { identity: 'root@example.com', password: 'rootpass123' } });
  expect(su.status, su.text).toBe(200);
  root = su.json.token;
}, 60_000);

afterAll(async () => {
  await galley?.close();
  await dropTestDatabaseOf(dir);
  rmSync(dir, { recursive: true, force: true });
});

interface Row {
  name: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  /** the base URL (default http://127.0.0.1:8090) */
  origin?: string;
  ip?: string;
  /** whether the fast handler answers it without the router (a fast read, or a preflight answered before it) */
  fast: boolean;
}

interface Answer {
  status: number;
  headers: [string, string][];
  body: string;
}

async function send(handler: typeof fast, row: Row): Promise<Answer> {
  const request = new Request((row.origin ?? 'http://127.0.0.1:8090') + row.path, { method: row.method ?? 'GET', headers: row.headers });
  const response = await handler(request, row.ip === undefined ? undefined : { remoteAddress: row.ip });
  return { status: response.status, headers: [...response.headers.entries()].sort(), body: await response.text() };
}

/** The answer of both handlers, and whether the fast one called the router. */
async function sendBoth(row: Row): Promise<{ viaRouter: Answer; viaFast: Answer; routerCalled: boolean }> {
  const viaRouter = await send(routed, row);
  const before = routerCalls;
  const viaFast = await send(fast, row);
  return { viaRouter, viaFast, routerCalled: routerCalls !== before };
}

const records = '/api/collections/items/records';

function table(): Row[] {
  const auth = (token: string) => ({ authorization: token });
  return [
    { name: 'found', path: `${records}/${ids['visible']}`, fast: true },
    { name: 'not found', path: `${records}/nosuchrecord000`, fast: true },
    { name: 'hidden by the view rule', path: `${records}/${ids['hidden']}`, fast: true },
    { name: 'a superuser sees the hidden one', path: `${records}/${ids['hidden']}`, headers: auth(root), fast: true },
    { name: 'a null view rule, anonymous (403)', path: `/api/collections/locked/records/${ids['locked']}`, fast: true },
    { name: 'a null view rule, superuser', path: `/api/collections/locked/records/${ids['locked']}`, headers: auth(root), fast: true },
    { name: 'a null list rule, anonymous (403)', path: '/api/collections/locked/records', fast: true },
    { name: 'an auth record, its owner', path: `/api/collections/users/records/${alice.id}`, headers: auth(alice.token), fast: true },
    { name: 'an auth record, another user (404)', path: `/api/collections/users/records/${alice.id}`, headers: auth(bob.token), fast: true },
    { name: 'an auth record list, its owner', path: '/api/collections/users/records', headers: auth(alice.token), fast: true },
    { name: 'a bad token', path: `${records}/${ids['visible']}`, headers: auth('not-a-token'), fast: true },
    { name: 'Bearer token', path: `${records}/${ids['visible']}`, headers: auth(`Bearer ${alice.token}`), fast: true },
    { name: 'an unknown collection', path: `/api/collections/nope/records/${ids['visible']}`, fast: true },
    { name: 'an unknown collection list', path: '/api/collections/nope/records', fast: true },
    { name: 'by collection id', path: `/api/collections/${galley.core.schema.findCollection('items')!.id}/records/${ids['visible']}`, fast: true },
    { name: 'fields', path: `${records}/${ids['visible']}?fields=id,category`, fast: true },
    { name: 'fields with a modifier', path: `${records}/${ids['visible']}?fields=id,category:excerpt(2)`, fast: true },
    { name: 'expand', path: `${records}/${ids['visible']}?expand=tag`, fast: true },
    { name: 'expand of an unknown field', path: `${records}/${ids['visible']}?expand=nope`, fast: true },
    { name: 'an unknown query parameter', path: `${records}/${ids['visible']}?foo=bar&foo=baz`, fast: true },
    { name: 'a malformed escape in the query', path: `${records}/${ids['visible']}?fields=%E0%A4%A`, fast: true },
    { name: 'a read hook on the view', path: `/api/collections/tags/records/${ids['tag']}`, fast: true },
    { name: 'a read hook on the list', path: '/api/collections/tags/records', fast: true },
    { name: 'list', path: records, fast: true },
    { name: 'list, superuser', path: records, headers: auth(root), fast: true },
    { name: 'list with filter, sort, skipTotal', path: `${records}?filter=${encodeURIComponent("category='shown'")}&sort=-created&skipTotal=1`, fast: true },
    { name: 'list with a bad filter (400)', path: `${records}?filter=${encodeURIComponent('category ===')}`, fast: true },
    { name: 'list with a bad perPage', path: `${records}?perPage=abc&page=-1`, fast: true },
    { name: 'list with expand and fields', path: `${records}?expand=tag&fields=id,expand.tag.label`, fast: true },
    { name: 'the meta path as a collection', path: '/api/collections/meta/records', fast: true },
    { name: 'the meta path as a collection, an id', path: '/api/collections/meta/records/x', fast: true },
    { name: 'an Origin header', path: `${records}/${ids['visible']}`, headers: { origin: 'https://example.com' }, fast: true },
    { name: 'an id with an escape', path: `${records}/abc%20def`, fast: false },
    { name: 'an id with a NUL escape', path: `${records}/%00abc`, fast: false },
    { name: 'an id with a dot', path: `${records}/abc.def`, fast: false },
    // the Request's URL parser resolves it before any handler sees it
    { name: 'a dot segment', path: `/api/collections/items/records/../records/${ids['visible']}`, fast: true },
    { name: 'a trailing slash', path: `${records}/${ids['visible']}/`, fast: false },
    { name: 'a list with a trailing slash', path: `${records}/`, fast: false },
    { name: 'a deeper path', path: `${records}/${ids['visible']}/more`, fast: false },
    { name: 'HEAD', method: 'HEAD', path: `${records}/${ids['visible']}`, fast: false },
    { name: 'OPTIONS, preflight', method: 'OPTIONS', path: `${records}/${ids['visible']}`, headers: { origin: 'https://example.com', 'access-control-request-method': 'GET' }, fast: true },
    { name: 'OPTIONS, not a preflight', method: 'OPTIONS', path: `${records}/${ids['visible']}`, fast: false },
    { name: 'a short host (the routable stand-in URL)', origin: 'http://api', path: `${records}/${ids['visible']}`, fast: true },
    { name: 'a fragment', path: `${records}/${ids['visible']}#frag`, fast: false },
  ];
}

describe('fast reads answer as the router does', () => {
  it('every row: same status, headers and body; the fast rows never reach the router', async () => {
    for (const row of table()) {
      const { viaRouter, viaFast, routerCalled } = await sendBoth(row);
      expect(viaFast, row.name).toEqual(viaRouter);
      expect(routerCalled, `${row.name}: router called`).toBe(!row.fast);
    }
  });

  it('the table covers the answers that matter (found, hidden, forbidden, bad request, no-store, hooks)', async () => {
    const status = async (path: string, headers?: Record<string, string>) => (await send(fast, { name: path, path, headers, fast: true })).status;
    expect(await status(`${records}/${ids['visible']}`)).toBe(200);
    expect(await status(`${records}/${ids['hidden']}`)).toBe(404);
    expect(await status(`/api/collections/locked/records/${ids['locked']}`)).toBe(403);
    expect(await status(`${records}?filter=${encodeURIComponent('category ===')}`)).toBe(400);
    const authed = await send(fast, { name: 'authed', path: `${records}/${ids['visible']}`, headers: { authorization: alice.token }, fast: true });
    expect(authed.headers).toContainEqual(['cache-control', 'no-store']);
    const hooked = await send(fast, { name: 'hooked', path: `/api/collections/tags/records/${ids['tag']}`, fast: true });
    expect(JSON.parse(hooked.body).label).toBe('RED');
    const listed = await send(fast, { name: 'hooked list', path: '/api/collections/tags/records', fast: true });
    expect(JSON.parse(listed.body).seenBy).toBe('list hook');
  });

  it('the request log keeps the same facts for both (auth, status, error, url)', async () => {
    const rows = table().filter((r) => ['found', 'a bad token', 'an auth record, its owner', 'a null view rule, anonymous (403)', 'list with a bad filter (400)'].includes(r.name));
    const marker = `?logmark=${Date.now()}`;
    for (const row of rows) {
      const path = row.path + (row.path.includes('?') ? marker.replace('?', '&') : marker);
      await send(routed, { ...row, path, ip: '10.1.2.3' });
      await send(fast, { ...row, path, ip: '10.1.2.3' });
    }
    await galley.core.logs.flush();
    const listed = await call('GET', `/api/logs?perPage=200&sort=@rowid&filter=${encodeURIComponent(`data.url ~ '${marker.slice(1)}'`)}`, { auth: root });
    expect(listed.status, listed.text).toBe(200);
    const entries = (listed.json.items as { data: Record<string, unknown>; message: string; level: number }[]).map((e) => {
      const { execTime, ...data } = e.data;
      expect(typeof execTime).toBe('number');
      return { data, message: e.message, level: e.level };
    });
    expect(entries).toHaveLength(rows.length * 2);
    for (let i = 0; i < entries.length; i += 2) expect(entries[i + 1], JSON.stringify(entries[i])).toEqual(entries[i]);
    expect(entries.map((e) => e.data['status'])).toEqual([200, 200, 403, 403, 200, 200, 200, 200, 400, 400]);
    expect(entries[4]!.data['auth']).toBe('users');
  });

  it('rate limits count a fast read against the view and list tags', async () => {
    const saved = galley.core.settings.current();
    await galley.core.settings.save({
      ...saved,
      rateLimits: { enabled: true, excludedIPs: [], rules: [{ label: 'items:view', audience: '', duration: 60, maxRequests: 1 }, { label: '*:list', audience: '', duration: 60, maxRequests: 1 }] },
    });
    try {
      for (const path of [`${records}/${ids['visible']}`, records]) {
        const answers: Record<string, Answer[]> = {};
        for (const [side, handler] of [['router', routed], ['fast', fast]] as const) {
          galley.core.rateLimiter.state = undefined; // each side starts with fresh windows
          answers[side] = [await send(handler, { name: path, path, ip: '10.9.8.7', fast: true }), await send(handler, { name: path, path, ip: '10.9.8.7', fast: true })];
        }
        expect(answers['fast']!.map((a) => a.status), path).toEqual([200, 429]);
        expect(answers['fast']).toEqual(answers['router']);
      }
    } finally {
      await galley.core.settings.save(saved);
    }
  });

  it('the superuser IP list refuses a superuser fast read from elsewhere', async () => {
    const saved = galley.core.settings.current();
    await galley.core.settings.save({ ...saved, superuserIPs: ['10.7.0.5'] });
    try {
      for (const [ip, status] of [['10.7.0.6', 403], ['10.7.0.5', 200]] as const) {
        const row: Row = { name: ip, path: `${records}/${ids['hidden']}`, headers: { authorization: root }, ip, fast: true };
        const { viaRouter, viaFast, routerCalled } = await sendBoth(row);
        expect(viaFast.status).toBe(status);
        expect(viaFast).toEqual(viaRouter);
        expect(routerCalled).toBe(false);
      }
    } finally {
      await galley.core.settings.save(saved);
    }
  });

  it('a galley answers its hot reads without the router (galley.handle)', async () => {
    // the handler createGalley builds takes the fast reads too: its router is never asked for a record read
    const app = galley.app as unknown as { fetch: (r: Request) => unknown };
    const original = app.fetch;
    let calls = 0;
    app.fetch = (r: Request) => {
      calls++;
      return original.call(app, r);
    };
    try {
      expect((await call('GET', `${records}/${ids['visible']}`)).status).toBe(200);
      expect((await call('GET', records)).status).toBe(200);
      expect(calls).toBe(0);
      expect((await call('GET', '/api/health')).status).toBe(200);
      expect(calls).toBe(1);
    } finally {
      app.fetch = original;
    }
  });
});
