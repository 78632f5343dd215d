// Scenario tables over schema-examples/blog.json: who may see and change what, and PocketBase's wire details.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExample, signUp, startTestGalley, superuserToken, runScenario, type Scenario, type TestGalley } from './helpers/test-galley.ts';

let t: TestGalley;
const tokens: Record<string, string | null> = { guest: null };
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestGalley(readExample('blog.json'));
  tokens['root'] = await superuserToken(t);
  const alice = await signUp(t, 'users', { email: 'alice@example.com', name: 'Alice' });
  const bob = await signUp(t, 'users', { email: 'bob@example.com', name: 'Bob', emailVisibility: true });
  Object.assign(tokens, { alice: alice.token, bob: bob.token });
  Object.assign(ids, { alice: alice.id, bob: bob.id });
  const tag = await t.call('POST', '/api/collections/tags/records', { body: { name: 'news' }, auth: tokens['root'] });
  ids['tag'] = tag.json.id;
  const mk = async (who: 'alice' | 'bob', title: string, status: string) => {
    const r = await t.call('POST', '/api/collections/posts/records', {
      body: { title, slug: title.toLowerCase().replace(/\W+/g, '-'), status, author: ids[who], tags: [ids['tag']], body: '<p>Some <b>bold</b> words here</p>' },
      auth: tokens[who],
    });
    if (r.status !== 200) throw new Error(`seed ${title}: ${r.status} ${r.text}`);
    return r.json.id as string;
  };
  ids['alicePublished'] = await mk('alice', 'Alice Published', 'published');
  ids['aliceDraft'] = await mk('alice', 'Alice Draft', 'draft');
  ids['bobPublished'] = await mk('bob', 'Bob Published', 'published');
}, 60_000);

afterAll(() => t?.close());

const run = (s: Scenario) => runScenario(t, s, tokens);

const posts = '/api/collections/posts/records';

describe('list and view follow the rules', () => {
  const table: Scenario[] = [
    { name: 'a guest lists only published posts', method: 'GET', path: posts, status: 200, contains: ['Alice Published', 'Bob Published', '"totalItems":2'], notContains: ['Alice Draft'] },
    { name: 'the author also sees her own draft', method: 'GET', path: posts, as: 'alice', status: 200, contains: ['Alice Draft', '"totalItems":3'] },
    { name: 'another user does not see the draft', method: 'GET', path: posts, as: 'bob', status: 200, notContains: ['Alice Draft'] },
    { name: 'a superuser sees everything', method: 'GET', path: posts, as: 'root', status: 200, contains: ['Alice Draft', '"totalItems":3'] },
    { name: 'viewing a draft as a guest is a 404', method: 'GET', path: () => `${posts}/${ids['aliceDraft']}`, status: 404, contains: ['"status":404', '"data":{}'] },
    { name: 'viewing a draft as its author works', method: 'GET', path: () => `${posts}/${ids['aliceDraft']}`, as: 'alice', status: 200, contains: ['Alice Draft'] },
    { name: 'collection names are case-insensitive in paths', method: 'GET', path: '/api/collections/POSTS/records', status: 200, contains: ['Alice Published'] },
    { name: 'an unknown collection is a 404 with PocketBase’s message', method: 'GET', path: '/api/collections/nope/records', status: 404, contains: ['Missing collection context.'] },
    { name: 'the tags list is public', method: 'GET', path: '/api/collections/tags/records', status: 200, contains: ['news'] },
  ];
  it.each(table)('$name', async (s) => {
    await run(s);
  });
});

describe('list parameters', () => {
  const table: Scenario[] = [
    { name: 'skipTotal gives -1 totals', method: 'GET', path: `${posts}?skipTotal=1`, status: 200, contains: ['"totalItems":-1', '"totalPages":-1'] },
    { name: 'perPage is clamped to 1000', method: 'GET', path: `${posts}?perPage=5000`, status: 200, contains: ['"perPage":1000'] },
    { name: 'perPage=0 falls back to 30', method: 'GET', path: `${posts}?perPage=0&page=-1`, status: 200, contains: ['"perPage":30', '"page":1'] },
    { name: 'perPage=abc is a 400', method: 'GET', path: `${posts}?perPage=abc`, status: 400, contains: ['"data":{}'] },
    { name: 'perPage=1e9 is a 400', method: 'GET', path: `${posts}?perPage=1e9`, status: 400 },
    { name: 'unknown query params are ignored', method: 'GET', path: `${posts}?autoRefresh=true&whatever=1`, status: 200 },
    { name: 'a filter narrows the list', method: 'GET', path: `${posts}?filter=${encodeURIComponent("title ~ 'bob'")}`, status: 200, contains: ['Bob Published', '"totalItems":1'] },
    { name: 'sort descending by title', method: 'GET', path: `${posts}?sort=-title&fields=title`, status: 200, contains: ['{"title":"Bob Published"},{"title":"Alice Published"}'] },
    // users may list only themselves: a guest's sort through author reads both as empty, and keeps both (PocketBase: 0 items)
    { name: 'a guest sorting by author.name still gets every published post', method: 'GET', path: `${posts}?sort=author.name,title&fields=title`, status: 200, contains: ['"totalItems":2', '{"title":"Alice Published"},{"title":"Bob Published"}'] },
    { name: 'a guest sorting by -author.name gets the same order (hidden names do not leak)', method: 'GET', path: `${posts}?sort=-author.name,title&fields=title`, status: 200, contains: ['"totalItems":2', '{"title":"Alice Published"},{"title":"Bob Published"}'] },
    { name: 'a filter on an unknown field is a 400', method: 'GET', path: `${posts}?filter=${encodeURIComponent('nope = 1')}`, status: 400 },
    { name: 'a syntax error is a 400, no SQL text', method: 'GET', path: `${posts}?filter=${encodeURIComponent("title = 'x' &&")}`, status: 400, notContains: ['SELECT', 'sqlite'] },
    { name: '@request in a guest filter is a 403', method: 'GET', path: `${posts}?filter=${encodeURIComponent('@request.auth.id = ""')}`, status: 403 },
    { name: '@collection in a guest filter is a 403', method: 'GET', path: `${posts}?filter=${encodeURIComponent('@collection.tags.name = "news"')}`, status: 403 },
    { name: 'a superuser may filter by @request', method: 'GET', path: `${posts}?filter=${encodeURIComponent('@request.auth.id != ""')}`, as: 'root', status: 200, contains: ['"totalItems":3'] },
    { name: 'fields with excerpt', method: 'GET', path: () => `${posts}/${ids['alicePublished']}?fields=id,body:excerpt(10,true)`, status: 200, contains: ['"body":"Some bold..."'], notContains: ['title'] },
    { name: 'expand of author and tags', method: 'GET', path: () => `${posts}/${ids['alicePublished']}?expand=author,tags`, status: 200, contains: ['"expand":{', '"name":"Alice"', '"name":"news"'] },
    { name: 'an expanded user without email visibility has no email', method: 'GET', path: () => `${posts}/${ids['alicePublished']}?expand=author`, status: 200, notContains: ['alice@example.com', 'tokenKey', 'password'] },
    { name: 'back-relation expand', method: 'GET', path: () => `/api/collections/users/records/${ids['bob']}?expand=posts_via_author`, as: 'bob', status: 200, contains: ['Bob Published'] },
  ];
  it.each(table)('$name', async (s) => {
    await run(s);
  });
});

describe('writes follow the rules', () => {
  const table: Scenario[] = [
    { name: 'a guest cannot create a post (400, PocketBase’s create-rule answer)', method: 'POST', path: posts, body: () => ({ title: 'G', slug: 'g', status: 'draft', author: ids['alice'] }), status: 400, contains: ['Failed to create record.'], events: [] },
    { name: 'a user cannot create a post in someone else’s name', method: 'POST', path: posts, as: 'bob', body: () => ({ title: 'B2', slug: 'b2', status: 'draft', author: ids['alice'] }), status: 400, events: [] },
    { name: 'a missing required title is validation_required', method: 'POST', path: posts, as: 'bob', body: () => ({ slug: 'b3', status: 'draft', author: ids['bob'] }), status: 400, contains: ['"title":{"code":"validation_required"'], events: [] },
    { name: 'a select value outside values is validation_invalid_value', method: 'POST', path: posts, as: 'bob', body: () => ({ title: 'x', slug: 'b4', status: 'weird', author: ids['bob'] }), status: 400, contains: ['validation_invalid_value'], events: [] },
    { name: 'a relation to a missing record is validation_missing_rel_records', method: 'POST', path: posts, as: 'bob', body: () => ({ title: 'x', slug: 'b5', status: 'draft', author: ids['bob'], tags: ['zzzzzzzzzzzzzzz'] }), status: 400, contains: ['validation_missing_rel_records'], events: [] },
    { name: 'a duplicate slug is validation_not_unique', method: 'POST', path: posts, as: 'bob', body: () => ({ title: 'x', slug: 'bob-published', status: 'draft', author: ids['bob'] }), status: 400, contains: ['"slug":{"code":"validation_not_unique"'], events: [] },
    { name: 'another user’s update is a 404', method: 'PATCH', path: () => `${posts}/${ids['alicePublished']}`, as: 'bob', body: { title: 'hacked' }, status: 404, events: [] },
    { name: 'another user’s delete is a 404', method: 'DELETE', path: () => `${posts}/${ids['alicePublished']}`, as: 'bob', status: 404, events: [] },
    { name: 'tags are superuser-only to create (null rule: 403)', method: 'POST', path: '/api/collections/tags/records', as: 'alice', body: { name: 'x' }, status: 403, contains: ['Only superusers can perform this action.'], events: [] },
    { name: 'a null create rule answers 403 before validating the body', method: 'POST', path: '/api/collections/tags/records', as: 'alice', body: { name: '' }, status: 403, contains: ['Only superusers can perform this action.'], events: [] },
    { name: 'a null create rule answers 403 to a guest with an invalid body', method: 'POST', path: '/api/collections/tags/records', body: { name: 12345 }, status: 403, events: [] },
    { name: 'created/updated in a body are ignored', method: 'POST', path: posts, as: 'bob', body: () => ({ title: 'Dates', slug: 'dates', status: 'draft', author: ids['bob'], created: '2000-01-01 00:00:00.000Z' }), status: 200, notContains: ['2000-01-01'], events: ['create:posts'] },
    { name: 'unknown body keys are ignored', method: 'POST', path: posts, as: 'bob', body: () => ({ title: 'Unknown', slug: 'unknown', status: 'draft', author: ids['bob'], bogus: 1 }), status: 200, notContains: ['bogus'], events: ['create:posts'] },
    { name: 'a custom id is accepted when valid', method: 'POST', path: posts, as: 'bob', body: () => ({ id: 'customid1234567', title: 'Custom', slug: 'custom', status: 'draft', author: ids['bob'] }), status: 200, contains: ['"id":"customid1234567"'], events: ['create:posts'] },
    { name: 'an invalid custom id is refused', method: 'POST', path: posts, as: 'bob', body: () => ({ id: 'BAD ID', title: 'Bad', slug: 'bad-id', status: 'draft', author: ids['bob'] }), status: 400, contains: ['"id":{'], events: [] },
    { name: 'a user cannot set verified on sign-up', method: 'POST', path: '/api/collections/users/records', body: { email: 'eve@example.com', password: 'password123', passwordConfirm: 'password123', verified: true }, status: 400, contains: ['"verified":{"code":"validation_values_mismatch"'], events: [] },
    { name: 'sign-up needs matching passwordConfirm', method: 'POST', path: '/api/collections/users/records', body: { email: 'eve2@example.com', password: 'password123', passwordConfirm: 'nope' }, status: 400, contains: ['"passwordConfirm":{"code":"validation_values_mismatch"'], events: [] },
  ];
  it.each(table)('$name', async (s) => {
    await run(s);
  });

  it('the author updates and deletes her post; modifiers apply', async () => {
    const created = await run({ name: 'create', method: 'POST', path: posts, as: 'alice', body: { title: 'Mine', slug: 'mine', status: 'draft', author: ids['alice'] }, status: 200, events: ['create:posts'] });
    const id = created.json.id;
    const updated = await run({ name: 'append a tag', method: 'PATCH', path: `${posts}/${id}`, as: 'alice', body: { 'tags+': ids['tag'], title: 'Mine 2' }, status: 200, events: ['update:posts'] });
    expect(updated.json.tags).toEqual([ids['tag']]);
    expect(updated.json.title).toBe('Mine 2');
    expect(updated.json.updated >= created.json.updated).toBe(true);
    const removed = await run({ name: 'remove the tag', method: 'PATCH', path: `${posts}/${id}`, as: 'alice', body: { 'tags-': [ids['tag']] }, status: 200, events: ['update:posts'] });
    expect(removed.json.tags).toEqual([]);
    const del = await run({ name: 'delete', method: 'DELETE', path: `${posts}/${id}`, as: 'alice', status: 204, events: ['delete:posts'] });
    expect(del.text).toBe('');
    await run({ name: 'gone', method: 'GET', path: `${posts}/${id}`, as: 'alice', status: 404 });
  });

  it('changing one’s password needs oldPassword and kills earlier tokens', async () => {
    const u = await signUp(t, 'users', { email: 'carol@example.com' });
    const path = `/api/collections/users/records/${u.id}`;
    await run({ name: 'without oldPassword', method: 'PATCH', path, as: undefined, body: {}, status: 404 });
    tokens['carol'] = u.token;
    await run({ name: 'no oldPassword', method: 'PATCH', path, as: 'carol', body: { password: 'newpassword1', passwordConfirm: 'newpassword1' }, status: 400, contains: ['oldPassword'] });
    await run({ name: 'with oldPassword', method: 'PATCH', path, as: 'carol', body: { password: 'newpassword1', passwordConfirm: 'newpassword1', oldPassword: 'password123' }, status: 200 });
    // the old token now belongs to a guest: no email (only its owner sees it), no update rights
    await run({ name: 'old token is a guest', method: 'GET', path, as: 'carol', status: 200, notContains: ['carol@example.com'] });
    await run({ name: 'old token cannot update', method: 'PATCH', path, as: 'carol', body: { name: 'x' }, status: 404 });
    const login = await t.call('POST', '/api/collections/users/auth-with-password', { body: { identity: 'carol@example.com', password: 'newpassword1' } });
    expect(login.status).toBe(200);
    tokens['carol'] = login.json.token;
    await run({ name: 'new token sees own email', method: 'GET', path, as: 'carol', status: 200, contains: ['carol@example.com'] });
  });
});

describe('wire details (reference §13)', () => {
  it('accepts the raw token and a Bearer prefix; an invalid token is a guest', async () => {
    const raw = await t.call('GET', posts, { auth: tokens['alice'] });
    const bearer = await t.call('GET', posts, { auth: `Bearer ${tokens['alice']}` });
    const bad = await t.call('GET', posts, { auth: 'not-a-token' });
    expect(raw.json.totalItems).toBe(3);
    expect(bearer.json.totalItems).toBe(3);
    expect(bad.status).toBe(200);
    expect(bad.json.totalItems).toBe(2);
  });

  it('accepts an empty body with a JSON content type on GET and DELETE', async () => {
    const res = await t.call('GET', posts, { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
  });

  it('answers CORS preflight and sets security headers', async () => {
    const pre = await t.call('OPTIONS', posts, { headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
    const res = await t.call('GET', posts);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('unknown routes and wrong methods are PocketBase’s 404', async () => {
    for (const [m, p] of [['GET', '/api/nope'], ['PUT', posts], ['GET', '/whatever']] as const) {
      const res = await t.call(m, p);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ data: {}, message: "The requested resource wasn't found.", status: 404 });
    }
  });

  it('locks the list envelope and the error shape', async () => {
    const list = await t.call('GET', `${posts}?perPage=1&fields=title&sort=title`);
    expect(list.json).toMatchInlineSnapshot(`
      {
        "items": [
          {
            "title": "Alice Published",
          },
        ],
        "page": 1,
        "perPage": 1,
        "totalItems": 2,
        "totalPages": 2,
      }
    `);
    const err = await t.call('POST', posts, { auth: tokens['bob'], body: { slug: 'shape', status: 'draft', author: ids['bob'] } });
    expect(err.json).toMatchInlineSnapshot(`
      {
        "data": {
          "title": {
            "code": "validation_required",
            "message": "Cannot be blank.",
          },
        },
        "message": "Failed to create record.",
        "status": 400,
      }
    `);
  });

  it('routes requests whose Host is short and has no port (behind a proxy)', async () => {
    for (const host of ['http://x', 'http://api', 'https://ab']) {
      const res = await t.galley.handle(new Request(`${host}/api/collections/posts/records?perPage=1`));
      expect(res.status, host).toBe(200);
    }
  });

  it('health answers PocketBase’s shape', async () => {
    const res = await t.call('GET', '/api/health');
    expect(res.json).toEqual({ message: 'API is healthy.', code: 200, data: {} });
  });
});
