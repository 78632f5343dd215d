// POST /api/batch: record writes of several sub-requests in ONE transaction, PocketBase's shapes (apis/batch.go).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { superuserToken } from '../helpers/test-galley.ts';
import { startBatchGalley, type BatchGalley } from './harness.ts';

let t: BatchGalley;
let root: string;
let user: { id: string; token: string };

beforeAll(async () => {
  t = await startBatchGalley();
  root = await superuserToken(t);
  const created = await t.call('POST', '/api/collections/users/records', {
    body: { email: 'u@example.com', password: 'password123', passwordConfirm: 'password123' },
  });
  const login = await t.call('POST', '/api/collections/users/auth-with-password', { body: { identity: 'u@example.com', password: 'password123' } });
  user = { id: created.json.id, token: login.json.token };
}, 30_000);
afterAll(() => t?.close());

async function seed(): Promise<{ post: string; note: string }> {
  const post = await t.call('POST', '/api/collections/posts/records', { body: { title: 'seeded', views: 1 } });
  const note = await t.batch([{ method: 'POST', url: '/api/collections/notes/records', headers: { 'X-Tag': 'ok' }, body: { text: 'seeded' } }]);
  expect([post.status, note.status]).toEqual([200, 200]);
  t.events.length = 0;
  t.seenAtEvent.length = 0;
  return { post: post.json.id, note: note.json[0].body.id };
}

const counts = async () => ({ authors: (await t.rows('authors')).length, posts: (await t.rows('posts')).length, notes: (await t.rows('notes')).length });

describe('a batch that succeeds', () => {
  let ids: { post: string; note: string };
  beforeEach(async () => (ids = await seed()));

  it('runs creates, updates, upserts and deletes across collections in order, each seeing the writes before it', async () => {
    const postsBefore = (await t.rows('posts')).length;
    const res = await t.batch([
      { method: 'POST', url: '/api/collections/authors/records', body: { id: 'batchauthor0001', name: 'Ann' } },
      // the relation names an author that exists only inside this transaction
      { method: 'POST', url: '/api/collections/posts/records?expand=author', body: { id: 'batchpost000001', title: 'new', author: 'batchauthor0001' } },
      { method: 'PATCH', url: `/api/collections/posts/records/${ids.post}?fields=id,views`, body: { views: 2 } },
      { method: 'PATCH', url: '/api/collections/posts/records/batchpost000001', body: { title: 'renamed' } },
      { method: 'PUT', url: '/api/collections/posts/records', body: { id: ids.post, views: 3 } },
      { method: 'PUT', url: '/api/collections/posts/records', body: { id: 'batchpost000002', title: 'upserted' } },
      { method: 'DELETE', url: `/api/collections/notes/records/${ids.note}` },
    ]);
    expect(res.status).toBe(200);
    expect(res.json.map((r: { status: number }) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 204]);
    expect(res.json[1].body.expand.author).toMatchObject({ id: 'batchauthor0001', name: 'Ann' });
    expect(res.json[2].body).toEqual({ id: ids.post, views: 2 });
    expect(res.json[3].body).toMatchObject({ id: 'batchpost000001', title: 'renamed', author: 'batchauthor0001' });
    expect(res.json[4].body).toMatchObject({ id: ids.post, title: 'seeded', views: 3 });
    expect(res.json[5].body).toMatchObject({ id: 'batchpost000002', title: 'upserted' });
    expect(res.json[6]).toEqual({ body: null, status: 204 });

    expect((await t.rows('posts', `id = '${ids.post}'`))[0]).toMatchObject({ views: 3 });
    expect((await t.rows('posts', "id = 'batchpost000001'"))[0]).toMatchObject({ title: 'renamed' });
    expect(await t.rows('notes', `id = '${ids.note}'`)).toEqual([]);
    expect((await t.rows('posts')).length).toBe(postsBefore + 2);

    expect(t.events.map((e) => `${e.action}:${e.collection.name}`)).toEqual([
      'create:authors',
      'create:posts',
      'update:posts',
      'update:posts',
      'update:posts',
      'create:posts',
      'delete:notes',
    ]);
    // every event left after the one COMMIT: a separate connection already saw all of the batch's posts
    expect(await Promise.all(t.seenAtEvent.map((s) => s.committedPosts))).toEqual(t.seenAtEvent.map(() => postsBefore + 2));
  });

  it('sub-requests run as the outer caller: their own Authorization is not read; their headers override, context is "batch"', async () => {
    const guest = await t.batch([{ method: 'POST', url: '/api/collections/locked/records', headers: { Authorization: root }, body: { text: 'x' } }]);
    expect(guest.status).toBe(400);
    expect(guest.json.data.requests['0'].response).toEqual({ data: {}, message: 'Only superusers can perform this action.', status: 403 });
    const superuser = await t.batch([{ method: 'POST', url: '/api/collections/locked/records', body: { text: 'x' } }], { auth: root });
    expect(superuser.status).toBe(200);

    // notes: createRule "@request.context = 'batch' && @request.headers.x_tag = 'ok'"
    const direct = await t.call('POST', '/api/collections/notes/records', { body: { text: 'direct' }, headers: { 'X-Tag': 'ok' } });
    expect(direct.status).toBe(400);
    const outerHeader = await t.batch([{ method: 'POST', url: '/api/collections/notes/records', body: { text: 'outer' } }], { headers: { 'X-Tag': 'ok' } });
    expect(outerHeader.status).toBe(200);
    const overridden = await t.batch([{ method: 'POST', url: '/api/collections/notes/records', headers: { 'x-tag': 'no' }, body: { text: 'over' } }], {
      headers: { 'X-Tag': 'ok' },
    });
    expect(overridden.status).toBe(400);

    // notes: updateRule '@request.auth.id != ""'
    const patch = { method: 'PATCH', url: `/api/collections/notes/records/${ids.note}`, body: { text: 'edited' } };
    expect((await t.batch([patch])).json.data.requests['0'].response.status).toBe(404);
    expect((await t.batch([patch], { auth: user.token })).status).toBe(200);
  });

  it('the outer `fields` picks from the array of answers', async () => {
    const res = await t.call('POST', '/api/batch?fields=status', {
      body: { requests: [{ method: 'PATCH', url: `/api/collections/posts/records/${ids.post}`, body: { views: 9 } }] },
    });
    expect(res.json).toEqual([{ status: 200 }]);
  });

  it('a failing batch in the same group commit as ordinary writes fails alone', async () => {
    const results = await Promise.all([
      t.call('POST', '/api/collections/authors/records', { body: { name: 'beside 1' } }),
      t.batch([
        { method: 'POST', url: '/api/collections/authors/records', body: { name: 'in failing batch' } },
        { method: 'POST', url: '/api/collections/posts/records', body: { title: 'forbidden' } },
      ]),
      t.call('POST', '/api/collections/authors/records', { body: { name: 'beside 2' } }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 400, 200]);
    expect((await t.rows('authors', "name LIKE 'beside%'")).length).toBe(2);
    expect(await t.rows('authors', "name = 'in failing batch'")).toEqual([]);
    expect(t.events.map((e) => e.row['name']).sort()).toEqual(['beside 1', 'beside 2']);
  });
});

describe('a batch that fails', () => {
  let ids: { post: string; note: string };
  beforeEach(async () => (ids = await seed()));

  it('a rule failure in request 3 of 5 is a 400 naming index 3; nothing is written, no event leaves', async () => {
    const before = await counts();
    const res = await t.batch([
      { method: 'POST', url: '/api/collections/authors/records', body: { name: 'rolled back' } },
      { method: 'PATCH', url: `/api/collections/posts/records/${ids.post}`, body: { views: 100 } },
      { method: 'DELETE', url: `/api/collections/notes/records/${ids.note}` },
      { method: 'POST', url: '/api/collections/posts/records', body: { title: 'forbidden' } },
      { method: 'POST', url: '/api/collections/authors/records', body: { name: 'never run' } },
    ]);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      data: {
        requests: {
          '3': {
            code: 'batch_request_failed',
            message: 'Batch request failed.',
            response: { data: {}, message: 'Failed to create record.', status: 400 },
          },
        },
      },
      message: 'Batch transaction failed.',
      status: 400,
    });
    expect(await counts()).toEqual(before);
    expect((await t.rows('posts', `id = '${ids.post}'`))[0]).toMatchObject({ views: 1 });
    expect(await t.rows('notes', `id = '${ids.note}'`)).toHaveLength(1);
    expect(t.events).toEqual([]);
  });

  it("the failed sub-request's answer keeps its own status and field issues", async () => {
    const missing = await t.batch([{ method: 'PATCH', url: '/api/collections/posts/records/nosuchrecord000', body: { views: 1 } }]);
    expect(missing.json.data.requests['0'].response).toEqual({ data: {}, message: "The requested resource wasn't found.", status: 404 });
    const invalid = await t.batch([
      { method: 'POST', url: '/api/collections/authors/records', body: { name: 'ok' } },
      { method: 'POST', url: '/api/collections/posts/records', body: { author: 'nosuchauthor000' } },
    ]);
    const response = invalid.json.data.requests['1'].response;
    expect(response).toMatchObject({ message: 'Failed to create record.', status: 400 });
    expect(response.data.title.code).toBe('validation_required');
    expect(response.data.author.code).toBe('validation_missing_rel_records');
    const unknownCollection = await t.batch([{ method: 'POST', url: '/api/collections/nope/records', body: {} }]);
    expect(unknownCollection.json.data.requests['0'].response).toMatchObject({ status: 404, message: 'Missing collection context.' });
    expect(await t.rows('authors', "name = 'ok'")).toEqual([]);
  });
});

describe('batch input and limits', () => {
  const create = (name: string) => ({ method: 'POST', url: '/api/collections/authors/records', body: { name } });

  it('is enabled by default with PocketBase limits', async () => {
    const res = await t.call('GET', '/api/settings', { auth: root });
    expect(res.json.batch).toEqual({ enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 });
  });

  it('more than maxRequests (50, or 10 000) is a 400 on `requests`; 50 pass', async () => {
    const before = await counts();
    const tooLong = {
      data: { requests: { code: 'validation_length_too_long', message: 'The length must be no more than 50.', params: { max: 50, min: 0 } } },
      message: 'Invalid batch request data.',
      status: 400,
    };
    const r51 = await t.batch(Array.from({ length: 51 }, (_, i) => create(`n${i}`)));
    expect(r51.json).toEqual(tooLong);
    const r10k = await t.batch(Array.from({ length: 10_000 }, (_, i) => create(`n${i}`)));
    expect(r10k.json).toEqual(tooLong);
    expect(await counts()).toEqual(before);
    const r50 = await t.batch(Array.from({ length: 50 }, (_, i) => create(`fifty ${i}`)));
    expect(r50.status, r50.text).toBe(200);
    expect(await t.rows('authors', "name LIKE 'fifty %'")).toHaveLength(50);
  });

  const bad: Array<[string, unknown, number, string, unknown?]> = [
    ['malformed JSON', '{"requests": [', 400, 'Failed to read the submitted batch data.', {}],
    ['requests not an array', { requests: { 0: create('x') } }, 400, 'Failed to read the submitted batch data.', {}],
    ['a header that is not a string', { requests: [{ ...create('x'), headers: { 'X-A': 1 } }] }, 400, 'Failed to read the submitted batch data.', {}],
    ['a body that is not an object', { requests: [{ ...create('x'), body: ['x'] }] }, 400, 'Failed to read the submitted batch data.', {}],
    ['no requests', { requests: [] }, 400, 'Invalid batch request data.', { requests: { code: 'validation_required', message: 'Cannot be blank.' } }],
    ['no body at all', {}, 400, 'Invalid batch request data.', { requests: { code: 'validation_required', message: 'Cannot be blank.' } }],
    [
      'an unknown, a lower-case and a missing method; a missing and an overlong url',
      { requests: [create('ok'), { method: 'FETCH', url: '/x' }, { method: 'post', url: '/x' }, { url: '/x' }, { method: 'POST' }, { method: 'POST', url: 'a'.repeat(2001) }] },
      400,
      'Invalid batch request data.',
      {
        requests: {
          '1': { method: { code: 'validation_in_invalid', message: 'Must be a valid value.' } },
          '2': { method: { code: 'validation_in_invalid', message: 'Must be a valid value.' } },
          '3': { method: { code: 'validation_required', message: 'Cannot be blank.' } },
          '4': { url: { code: 'validation_required', message: 'Cannot be blank.' } },
          '5': { url: { code: 'validation_length_too_long', message: 'The length must be no more than 2000.', params: { max: 2000, min: 0 } } },
        },
      },
    ],
  ];
  it.each(bad)('%s → a clear 4xx, nothing written', async (_name, body, status, message, data) => {
    const before = await counts();
    const res = await t.call('POST', '/api/batch', { body: body as object, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(status);
    expect(res.json.message).toBe(message);
    if (data !== undefined) expect(res.json.data).toEqual(data);
    expect(await counts()).toEqual(before);
  });

  const notRecordWrites: Array<[string, string]> = [
    ['a nested batch', 'POST /api/batch'],
    ['a record list', 'GET /api/collections/posts/records'],
    ['a record view', 'GET /api/collections/posts/records/abc'],
    ['an auth route', 'POST /api/collections/users/auth-with-password'],
    ['the collections API', 'POST /api/collections'],
    ['a settings change', 'PATCH /api/settings'],
    ['a full URL', 'POST http://127.0.0.1:8090/api/collections/authors/records'],
    ['a path with a trailing slash', 'POST /api/collections/authors/records/'],
  ];
  it.each(notRecordWrites)('%s as a sub-request fails the whole batch (400), nothing written', async (_name, line) => {
    const before = await counts();
    const [method, url] = line.split(' ');
    const res = await t.batch([create('before the bad one'), { method, url, body: { requests: [create('nested')], name: 'x' } }], { auth: root });
    expect(res.status).toBe(400);
    expect(res.json.data.requests['1']).toEqual({
      code: 'batch_request_failed',
      message: 'Batch request failed.',
      response: { data: {}, message: 'Something went wrong while processing your request.', status: 400 },
    });
    expect(await counts()).toEqual(before);
  });

  it('maxBodySize: a larger body is 413 before anything runs', async () => {
    await t.call('PATCH', '/api/settings', { auth: root, body: { batch: { maxBodySize: 2000 } } });
    try {
      const before = await counts();
      const res = await t.batch([create('x'.repeat(3000))]);
      expect(res.status).toBe(413);
      expect(res.json).toEqual({ data: {}, message: 'Request entity too large.', status: 413 });
      expect(await counts()).toEqual(before);
      expect((await t.batch([create('small')])).status).toBe(200);
    } finally {
      await t.call('PATCH', '/api/settings', { auth: root, body: { batch: { maxBodySize: 0 } } });
    }
  });

  it('switched off it is 403; on again it runs', async () => {
    expect((await t.call('PATCH', '/api/settings', { auth: root, body: { batch: { enabled: false } } })).status).toBe(200);
    const before = await counts();
    const res = await t.batch([create('x')]);
    expect(res.json).toEqual({ data: {}, message: 'Batch requests are not allowed.', status: 403 });
    expect(await counts()).toEqual(before);
    // wire: switched on, maxRequests and timeout are required
    const invalid = await t.call('PATCH', '/api/settings', { auth: root, body: { batch: { enabled: true, maxRequests: 0 } } });
    expect(invalid.status).toBe(400);
    expect(invalid.json.data.batch.maxRequests.code).toBe('validation_required');
    expect((await t.call('PATCH', '/api/settings', { auth: root, body: { batch: { enabled: true, maxRequests: 50 } } })).status).toBe(200);
    expect((await t.batch([create('on again')])).status).toBe(200);
  });

  it('each sub-request counts against the rate limits as if sent alone', async () => {
    const original = (await t.call('GET', '/api/settings', { auth: root })).json.rateLimits;
    const rules = [{ label: 'authors:create', audience: '', duration: 60, maxRequests: 2 }];
    expect((await t.call('PATCH', '/api/settings', { auth: root, body: { rateLimits: { enabled: true, rules } } })).status).toBe(200);
    try {
      const before = await counts();
      const three = { requests: [create('r1'), create('r2'), create('r3')] };
      const res = await t.call('POST', '/api/batch', { body: three, ip: '203.0.113.9' });
      expect(res.status).toBe(400);
      expect(res.json.data.requests['2'].response).toEqual({ data: {}, message: 'Too Many Requests.', status: 429 });
      expect(await counts()).toEqual(before);
    } finally {
      await t.call('PATCH', '/api/settings', { auth: root, body: { rateLimits: original } });
    }
  });

  it('timeout: a batch still running after `timeout` seconds fails with 400 and writes nothing; the writer goes on', async () => {
    // each sign-up hashes a password (argon2id, tens of ms): 300 of them take far longer than 1 s
    await t.call('PATCH', '/api/settings', { auth: root, body: { batch: { timeout: 1, maxRequests: 300 } } });
    try {
      const usersBefore = (await t.rows('users')).length;
      const signUps = Array.from({ length: 300 }, (_, i) => ({
        method: 'POST',
        url: '/api/collections/users/records',
        body: { email: `slow${i}@example.com`, password: 'password123', passwordConfirm: 'password123' },
      }));
      const res = await t.batch(signUps);
      expect(res.json).toEqual({ data: {}, message: 'Batch transaction failed.', status: 400 });
      expect((await t.rows('users')).length).toBe(usersBefore);
      expect((await t.call('POST', '/api/collections/authors/records', { body: { name: 'after timeout' } })).status).toBe(200);
      expect((await t.rows('users')).length).toBe(usersBefore);
    } finally {
      await t.call('PATCH', '/api/settings', { auth: root, body: { batch: { timeout: 3, maxRequests: 50 } } });
    }
  }, 30_000);
});
