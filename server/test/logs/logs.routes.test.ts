// GET /api/logs, /api/logs/{id}, /api/logs/stats through the official SDK (pb.logs.*), unchanged, over a socket:
// who may read them, PocketBase's filter/sort/paging over `_logs` (data.* as JSON paths), the hourly stats, and
// what a request's own entry holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, upsertSuperuser, type Galley } from '../../src/index.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { selfServiceUsers } from '../helpers/users-collection.ts';
import { rejectionOf } from '../helpers/sdk-rejection.ts';

const ROOT = { email: 'root@example.com', password: 'rootpass123' };
const USER = { email: 'ann@example.com', password: 'password123' };
const NOT_FOUND = { status: 404, message: "The requested resource wasn't found.", data: {} };
const STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/;

let dir = '';
let galley: Galley;
let url = '';
let root: PocketBase;
let user: PocketBase;
const seedIds: string[] = [];

/** entries with known times and data, apart from the requests the test itself makes (data.type "seed") */
const SEED = [
  { at: '2026-01-01T10:05:00.000Z', level: 0, message: 'GET /seed/a', data: { type: 'seed', status: 200, nested: { list: [{ x: 'one' }] } } },
  { at: '2026-01-01T10:20:00.000Z', level: 8, message: 'GET /seed/b', data: { type: 'seed', status: 404 } },
  { at: '2026-01-01T10:59:59.999Z', level: 0, message: 'GET /seed/c', data: { type: 'seed', status: 204 } },
  { at: '2026-01-01T11:00:00.000Z', level: 8, message: 'POST /seed/d', data: { type: 'seed', status: 500 } },
  { at: '2026-01-01T11:30:00.000Z', level: 4, message: 'slow mail', data: { type: 'seed', status: 0 } },
];

function client(): PocketBase {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  return pb;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-logs-routes-'));
  galley = await createGalley({
    dir,
    schema: [selfServiceUsers()],
    env: {},
    logger: createTestLogger('error', () => {}),
    settings: { rateLimits: { enabled: false } } as never,
  });
  url = (await galley.listen('127.0.0.1:0')).url;
  await upsertSuperuser({ dir }, ROOT.email, ROOT.password);
  root = client();
  await root.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
  user = client();
  await user.collection('users').create({ ...USER, passwordConfirm: USER.password });
  await user.collection('users').authWithPassword(USER.email, USER.password);
  for (const s of SEED) galley.core.logs.write({ level: s.level, message: s.message, data: s.data, created: Date.parse(s.at) });
  await galley.core.logs.flush();
  const seeded = await root.logs.getList(1, 10, { filter: 'data.type = "seed"', sort: 'created' });
  seedIds.push(...seeded.items.map((i) => i.id));
});

afterAll(async () => {
  await galley?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const seedMessages = (items: Array<{ message: string }>) => items.map((i) => i.message);

interface LogScenario {
  name: string;
  as: 'guest' | 'user' | 'root';
  call: (pb: PocketBase) => Promise<unknown>;
  status: number;
  /** the answer (or the error body) */
  expect?: (body: any) => void;
}

const table: LogScenario[] = [
  { name: 'a guest listing logs is 401', as: 'guest', call: (pb) => pb.logs.getList(1, 10), status: 401, expect: (b) => expect(b).toEqual({ status: 401, message: 'The request requires valid record authorization token.', data: {} }) },
  { name: 'a guest reading stats is 401', as: 'guest', call: (pb) => pb.logs.getStats(), status: 401 },
  { name: 'a guest reading one log is 401', as: 'guest', call: (pb) => pb.logs.getOne(seedIds[0]!), status: 401 },
  { name: 'a user listing logs is 403', as: 'user', call: (pb) => pb.logs.getList(1, 10), status: 403, expect: (b) => expect(b).toEqual({ status: 403, message: 'The authorized record is not allowed to perform this action.', data: {} }) },
  { name: 'a user reading stats is 403', as: 'user', call: (pb) => pb.logs.getStats(), status: 403 },
  { name: 'a user reading one log is 403', as: 'user', call: (pb) => pb.logs.getOne(seedIds[0]!), status: 403 },
  {
    name: 'a superuser lists with a filter on data.*: PocketBase\'s list envelope and log model',
    as: 'root',
    call: (pb) => pb.logs.getList(1, 10, { filter: 'data.type = "seed"', sort: 'created' }),
    status: 200,
    expect: (b) => {
      expect(b).toMatchObject({ page: 1, perPage: 10, totalItems: 5, totalPages: 1 });
      expect(Object.keys(b.items[0])).toEqual(['id', 'created', 'data', 'message', 'level']);
      expect(b.items[0]).toMatchObject({ created: '2026-01-01 10:05:00.000Z', message: 'GET /seed/a', level: 0, data: SEED[0]!.data });
    },
  },
  { name: 'data.status >= 400', as: 'root', call: (pb) => pb.logs.getList(1, 10, { filter: 'data.type = "seed" && data.status >= 400', sort: 'created' }), status: 200, expect: (b) => expect(seedMessages(b.items)).toEqual(['GET /seed/b', 'POST /seed/d']) },
  { name: 'level > 0', as: 'root', call: (pb) => pb.logs.getList(1, 10, { filter: 'data.type = "seed" && level > 0', sort: 'created' }), status: 200, expect: (b) => expect(seedMessages(b.items)).toEqual(['GET /seed/b', 'POST /seed/d', 'slow mail']) },
  { name: 'message ~ and created <', as: 'root', call: (pb) => pb.logs.getList(1, 10, { filter: 'message ~ "/seed/" && created < "2026-01-01 11:00:00.000Z"', sort: 'created' }), status: 200, expect: (b) => expect(seedMessages(b.items)).toEqual(['GET /seed/a', 'GET /seed/b', 'GET /seed/c']) },
  {
    name: 'the dashboard\'s plain-text search (level, message and data ~ "term") with its -@rowid order',
    as: 'root',
    call: (pb) => pb.logs.getList(1, 10, { filter: '(level ~ "seed/c" || message ~ "seed/c" || data ~ "seed/c") || data ~ "one"', sort: '-@rowid' }),
    status: 200,
    expect: (b) => expect(seedMessages(b.items)).toEqual(['GET /seed/c', 'GET /seed/a']),
  },
  { name: 'stats over a created range (the dashboard\'s zoom)', as: 'root', call: (pb) => pb.logs.getStats({ filter: 'data.type = "seed" && created >= "2026-01-01 10:30:00.000Z" && created <= "2026-01-01 11:10:00.000Z"' }), status: 200, expect: (b) => expect(b).toEqual([{ date: '2026-01-01 10:00:00.000Z', total: 1 }, { date: '2026-01-01 11:00:00.000Z', total: 1 }]) },
  { name: 'a JSON path with an array index', as: 'root', call: (pb) => pb.logs.getList(1, 10, { filter: 'data.nested.list.0.x = "one"' }), status: 200, expect: (b) => expect(seedMessages(b.items)).toEqual(['GET /seed/a']) },
  { name: 'sort by -data.status', as: 'root', call: (pb) => pb.logs.getList(1, 10, { filter: 'data.type = "seed"', sort: '-data.status' }), status: 200, expect: (b) => expect(b.items.map((i: any) => i.data.status)).toEqual([500, 404, 204, 200, 0]) },
  { name: 'sort by -created, then page 2 of 2', as: 'root', call: (pb) => pb.logs.getList(2, 3, { filter: 'data.type = "seed"', sort: '-created' }), status: 200, expect: (b) => {
    expect(b).toMatchObject({ page: 2, perPage: 3, totalItems: 5, totalPages: 2 });
    expect(seedMessages(b.items)).toEqual(['GET /seed/b', 'GET /seed/a']);
  } },
  { name: 'sort by -@rowid (the dashboard\'s order)', as: 'root', call: (pb) => pb.logs.getList(1, 1, { filter: 'data.type = "seed"', sort: '-@rowid' }), status: 200, expect: (b) => expect(seedMessages(b.items)).toEqual(['slow mail']) },
  { name: 'skipTotal', as: 'root', call: (pb) => pb.logs.getList(1, 2, { filter: 'data.type = "seed"', skipTotal: true }), status: 200, expect: (b) => expect(b).toMatchObject({ totalItems: -1, totalPages: -1 }) },
  { name: 'perPage is capped at 1000', as: 'root', call: (pb) => pb.logs.getList(1, 5000), status: 200, expect: (b) => expect(b.perPage).toBe(1000) },
  { name: 'fields picks keys of each item', as: 'root', call: (pb) => pb.logs.getList(1, 1, { filter: 'data.type = "seed"', fields: 'id,message' }), status: 200, expect: (b) => expect(Object.keys(b.items[0])).toEqual(['id', 'message']) },
  { name: 'a bad filter is 400', as: 'root', call: (pb) => pb.logs.getList(1, 10, { filter: 'level >' }), status: 400 },
  { name: 'an unknown field is 400', as: 'root', call: (pb) => pb.logs.getList(1, 10, { filter: 'password = "x"' }), status: 400 },
  { name: 'an unknown sort field is 400', as: 'root', call: (pb) => pb.logs.getList(1, 10, { sort: 'nope' }), status: 400 },
  {
    name: 'stats: one row per hour, oldest first',
    as: 'root',
    call: (pb) => pb.logs.getStats({ filter: 'data.type = "seed"' }),
    status: 200,
    expect: (b) => expect(b).toEqual([{ date: '2026-01-01 10:00:00.000Z', total: 3 }, { date: '2026-01-01 11:00:00.000Z', total: 2 }]),
  },
  { name: 'stats with a filter on level', as: 'root', call: (pb) => pb.logs.getStats({ filter: 'data.type = "seed" && level >= 8' }), status: 200, expect: (b) => expect(b).toEqual([{ date: '2026-01-01 10:00:00.000Z', total: 1 }, { date: '2026-01-01 11:00:00.000Z', total: 1 }]) },
  { name: 'stats with a bad filter is PocketBase\'s 400', as: 'root', call: (pb) => pb.logs.getStats({ filter: 'level ~~ 1' }), status: 400, expect: (b) => expect(b).toEqual({ status: 400, message: 'Invalid filter format.', data: {} }) },
  { name: 'one log by id', as: 'root', call: (pb) => pb.logs.getOne(seedIds[1]!), status: 200, expect: (b) => expect(b).toEqual({ id: seedIds[1], created: '2026-01-01 10:20:00.000Z', data: SEED[1]!.data, message: 'GET /seed/b', level: 8 }) },
  { name: 'an unknown id is PocketBase\'s 404', as: 'root', call: (pb) => pb.logs.getOne('nosuchlog'), status: 404, expect: (b) => expect(b).toEqual(NOT_FOUND) },
  { name: 'DELETE /api/logs (truncate) is not a PocketBase route: 404', as: 'root', call: (pb) => pb.logs.truncate(), status: 404 },
];

describe('logs routes (pb.logs.*)', () => {
  it.each(table)('$name', async (s) => {
    const pb = s.as === 'root' ? root : s.as === 'user' ? user : client();
    if (s.status === 200) {
      const body = await s.call(pb);
      s.expect?.(body);
      return;
    }
    const err = await rejectionOf(s.call(pb));
    expect(err.status).toBe(s.status);
    s.expect?.(err.response);
  });
});

describe('request entries', () => {
  it('each answered request is one entry in PocketBase\'s shape; reading the logs is not logged, a refused read is', async () => {
    await user.collection('users').getList(1, 5, { headers: { 'User-Agent': 'logs-test/1', Referer: 'http://app.test/page?token=leak' } });
    await rejectionOf(client().collection('users').getOne('missing'));
    await rejectionOf(user.logs.getList(1, 1));
    await root.logs.getList(1, 1);
    await galley.core.logs.flush();
    const listed = await root.logs.getList(1, 10, { filter: 'data.type = "request"', sort: '-@rowid' });
    const [refused, missing, listedUsers] = listed.items;
    expect(listedUsers).toMatchObject({ level: 0, message: 'GET /api/collections/users/records?page=1&perPage=5' });
    expect(listedUsers!.created).toMatch(STAMP);
    expect(listedUsers!.data).toEqual({
      type: 'request',
      execTime: expect.any(Number),
      url: '/api/collections/users/records?page=1&perPage=5',
      method: 'GET',
      status: 200,
      referer: 'http://app.test/page?token=[redacted]',
      userAgent: 'logs-test/1',
      auth: 'users',
      userIP: '127.0.0.1',
      remoteIP: '127.0.0.1',
    });
    expect(missing).toMatchObject({ level: 8, message: 'GET /api/collections/users/records/missing' });
    expect(missing!.data).toMatchObject({ status: 404, auth: '', error: "The requested resource wasn't found.", details: {} });
    expect(refused).toMatchObject({ level: 8, message: 'GET /api/logs?page=1&perPage=1' });
    expect(refused!.data).toMatchObject({ status: 403, auth: 'users', error: 'The authorized record is not allowed to perform this action.' });
    // the superuser's own successful reads are not among them (its refused ones in the table above are)
    const reads = listed.items.filter((i) => i.data['auth'] === '_superusers' && String(i.data['url']).startsWith('/api/logs'));
    expect(reads.map((i) => i.data['status']).filter((status) => Number(status) < 400)).toEqual([]);
  });

  it('logAuthId adds the caller\'s id; logIP off leaves the addresses out (settings saved through the API)', async () => {
    await root.settings.update({ logs: { logAuthId: true, logIP: false } });
    await user.collection('users').getList(1, 1, { filter: 'email != ""' });
    await galley.core.logs.flush();
    const [entry] = (await root.logs.getList(1, 1, { filter: 'data.type = "request" && data.auth = "users"', sort: '-@rowid' })).items;
    expect(entry!.data['authId']).toBe(user.authStore.record!.id);
    expect(entry!.data).not.toHaveProperty('userIP');
    expect(entry!.data).not.toHaveProperty('remoteIP');
    await root.settings.update({ logs: { logAuthId: false, logIP: true } });
  });

  it('saving settings trims what they no longer allow; maxDays 0 logs nothing', async () => {
    // minLevel 8: the seeded info/warn entries go at once, the errors stay
    await root.settings.update({ logs: { minLevel: 8 } });
    expect(seedMessages((await root.logs.getList(1, 10, { filter: 'data.type = "seed"', sort: 'created' })).items)).toEqual([]);
    await root.settings.update({ logs: { minLevel: 0, maxDays: 5 } });
    // the seeds are from 2026-01-01: older than 5 days before now, so gone either way; requests since stay
    const before = (await root.logs.getList(1, 1, { filter: 'data.type = "request"' })).totalItems;
    expect(before).toBeGreaterThan(0);
    await root.settings.update({ logs: { maxDays: 0 } });
    await user.collection('users').getList(1, 1);
    galley.core.logs.write({ level: 8, message: 'app error while off', data: { type: 'app' } });
    await galley.core.logs.flush();
    const countAll = await galley.core.logs.auxDb!.db.selectFrom('_logs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    expect(Number(countAll?.n)).toBe(0);
    await root.settings.update({ logs: { maxDays: 5 } });
  });

  it('settings refuse a negative or fractional maxDays and a fractional minLevel', async () => {
    const err = await rejectionOf(root.settings.update({ logs: { maxDays: -1, minLevel: 1.5 } }));
    expect(err.status).toBe(400);
    expect(err.response.data.logs).toMatchObject({ maxDays: { code: 'validation_min_greater_equal_than_required' }, minLevel: { code: 'validation_only_int_constraint' } });
  });
});
