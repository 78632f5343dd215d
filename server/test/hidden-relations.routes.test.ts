// Related records a caller may not see never decide a filter's all-of check (list and realtime), and a
// sort through them orders them as empty instead of dropping them or leaking their values (issue 18 item 2,
// issue 19 item 4).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRaw, type RawClient } from './realtime/sse-client.ts';
import { withOptions } from './realtime/fixture.ts';
import { signUp, startTestGalley, superuserToken, type TestGalley } from './helpers/test-galley.ts';

const OWNER_ONLY = 'owner = @request.auth.id';
const schema = {
  collections: [
    {
      name: 'users',
      type: 'auth',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'name', type: 'text' },
        { name: 'friends', type: 'relation', collectionId: 'users', maxSelect: 5 },
      ],
    },
    {
      name: 'notes',
      listRule: OWNER_ONLY,
      viewRule: OWNER_ONLY,
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'text', type: 'text' },
        { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1 },
      ],
    },
    {
      name: 'comments',
      listRule: '',
      viewRule: '',
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'text', type: 'text' },
        { name: 'refs', type: 'relation', collectionId: 'notes', maxSelect: 5 },
      ],
    },
    {
      name: 'people',
      type: 'auth',
      listRule: 'id = @request.auth.id',
      viewRule: 'id = @request.auth.id',
      createRule: '',
      updateRule: null,
      deleteRule: null,
      fields: [{ name: 'name', type: 'text' }],
    },
    {
      name: 'posts',
      listRule: '',
      viewRule: '',
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'title', type: 'text' },
        { name: 'author', type: 'relation', collectionId: 'people', maxSelect: 1 },
      ],
    },
  ],
};

let t: TestGalley;
let root: string;
const tok: Record<string, string> = {};
const id: Record<string, string> = {};

async function create(collection: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.call('POST', `/api/collections/${collection}/records`, { body, auth: root });
  if (res.status !== 200) throw new Error(`create ${collection}: ${res.status} ${res.text}`);
  return res.json.id;
}

beforeAll(async () => {
  t = await startTestGalley(schema);
  root = await superuserToken(t);
  for (const [who, emailVisibility] of [['alice', true], ['bob', false], ['carol', true]] as const) {
    const u = await signUp(t, 'users', { email: `${who}@example.com`, name: who, emailVisibility });
    tok[who] = u.token;
    id[who] = u.id;
  }
  const patch = await t.call('PATCH', `/api/collections/users/records/${id['alice']}`, { body: { friends: [id['bob'], id['carol']] }, auth: root });
  expect(patch.status).toBe(200);
  id['aliceNote'] = await create('notes', { text: 'alice shopping list', owner: id['alice'] });
  id['bobNote'] = await create('notes', { text: 'bob secret: the code is 4711', owner: id['bob'] });
  id['c'] = await create('comments', { text: 'c', refs: [id['aliceNote'], id['bobNote']] });
  id['onlyBob'] = await create('comments', { text: 'only bob', refs: [id['bobNote']] });
  // people: each sees only themselves; posts are public
  for (const [who, name] of [['zed', 'Zed'], ['abe', 'Abe'], ['mia', 'Mia']] as const) {
    const u = await signUp(t, 'people', { email: `${who}@example.com`, name });
    tok[who] = u.token;
    id[who] = u.id;
  }
  await create('posts', { id: 'post00000000001', title: 'by zed', author: id['zed'] });
  await create('posts', { id: 'post00000000002', title: 'by abe', author: id['abe'] });
  await create('posts', { id: 'post00000000003', title: 'by mia', author: id['mia'] });
}, 60_000);
afterAll(() => t?.close());

async function count(collection: string, filter: string, auth: string | null): Promise<number> {
  const res = await t.call('GET', `/api/collections/${collection}/records?filter=${encodeURIComponent(filter)}`, { auth });
  expect(res.status, res.text).toBe(200);
  return res.json.totalItems;
}

describe('the all-of check of a multi-valued path reads only related records the caller may see', () => {
  it("a note hidden by its collection's listRule cannot be read prefix by prefix (refs.text !~ …)", async () => {
    const probe = (prefix: string) => `id = '${id['c']}' && refs.text !~ '${prefix}%'`;
    for (const auth of [tok['alice']!, null]) {
      const secret = await count('comments', probe('bob secret'), auth);
      const wrong = await count('comments', probe('zzzz'), auth);
      expect([secret, wrong]).toEqual([wrong, wrong]);
    }
    // alice sees her own note, so it still decides: it matches `!~ 'zzzz%'` and fails `!~ 'alice%'`
    expect(await count('comments', probe('zzzz'), tok['alice']!)).toBe(1);
    expect(await count('comments', probe('alice'), tok['alice']!)).toBe(0);
    // bob sees his note: the all-of check reads it for him
    expect(await count('comments', probe('bob secret'), tok['bob']!)).toBe(0);
    expect(await count('comments', probe('zzzz'), tok['bob']!)).toBe(1);
    expect(await count('comments', `id = '${id['onlyBob']}' && refs.text !~ 'zzzz%'`, tok['bob']!)).toBe(1);
    // only an invisible note: nothing visible can match (as in PocketBase), whatever the prefix
    expect(await count('comments', `id = '${id['onlyBob']}' && refs.text !~ 'bob%'`, tok['alice']!)).toBe(0);
    expect(await count('comments', `id = '${id['onlyBob']}' && refs.text !~ 'zzzz%'`, tok['alice']!)).toBe(0);
  });

  it('a private email (emailVisibility false) cannot be read through friends.email', async () => {
    const probe = (prefix: string) => `id = '${id['alice']}' && friends.email !~ '${prefix}%'`;
    for (const auth of [tok['carol']!, null]) {
      const secret = await count('users', probe('bob@'), auth);
      const wrong = await count('users', probe('zzzz'), auth);
      expect([secret, wrong]).toEqual([1, 1]);
    }
    // carol's email is public: it still decides the check
    expect(await count('users', probe('carol@'), tok['carol']!)).toBe(0);
    // `=` on every item: only the public email counts, so alice matches carol's email and not bob's
    expect(await count('users', `id = '${id['alice']}' && friends.email = 'carol@example.com'`, null)).toBe(1);
    expect(await count('users', `id = '${id['alice']}' && friends.email = 'bob@example.com'`, null)).toBe(0);
    // a superuser reads every email
    expect(await count('users', probe('bob@'), root)).toBe(0);
  });

  it('the same holds for a realtime subscription filter', async () => {
    const open: RawClient[] = [];
    try {
      const subscribe = async (filter: string): Promise<RawClient> => {
        const c = await connectRaw(t.galley);
        open.push(c);
        const res = await c.subscribe([withOptions('comments/*', { query: { filter } })], { auth: tok['alice']! });
        expect(res.status).toBe(204);
        return c;
      };
      const secret = await subscribe(`refs.text !~ 'bob secret%'`);
      const wrong = await subscribe(`refs.text !~ 'zzzz%'`);
      const visible = await subscribe(`refs.text !~ 'alice%'`);
      const res = await t.call('PATCH', `/api/collections/comments/records/${id['c']}`, { body: { text: 'c2' }, auth: root });
      expect(res.status).toBe(200);
      const seen = async (c: RawClient) => {
        await c.sync();
        return c.events().map((e) => `${e.data.action} ${e.data.record.id}`);
      };
      expect(await seen(wrong)).toEqual([`update ${id['c']}`]);
      expect(await seen(secret)).toEqual([`update ${id['c']}`]);
      expect(await seen(visible)).toEqual([]);
    } finally {
      await Promise.all(open.map((c) => c.close()));
    }
  });
});

describe('a sort through a relation orders, it never removes records or leaks hidden values', () => {
  const list = async (sort: string, auth: string | null) => {
    const res = await t.call('GET', `/api/collections/posts/records?sort=${encodeURIComponent(sort)}&fields=id`, { auth });
    expect(res.status, res.text).toBe(200);
    expect(res.json.totalItems).toBe(3);
    return res.json.items.map((i: { id: string }) => i.id.slice(-1));
  };

  it('a guest gets every post; authors it may not list sort as empty (tie broken by id)', async () => {
    // names would give abe (2), mia (3), zed (1); hidden, all three are empty and id decides both ways
    expect(await list('author.name,id', null)).toEqual(['1', '2', '3']);
    expect(await list('-author.name,id', null)).toEqual(['1', '2', '3']);
    expect(await list('author.name,-id', null)).toEqual(['3', '2', '1']);
  });

  it('the author the caller may list sorts by its name; the hidden ones stay empty', async () => {
    expect(await list('author.name,id', tok['mia']!)).toEqual(['1', '2', '3']);
    expect(await list('-author.name,id', tok['mia']!)).toEqual(['3', '1', '2']);
    expect(await list('-author.name,id', tok['zed']!)).toEqual(['1', '2', '3']);
    expect(await list('author.name,id', tok['zed']!)).toEqual(['2', '3', '1']);
    // a superuser sees every name
    expect(await list('author.name', root)).toEqual(['2', '3', '1']);
  });

  it('a filter through the same relation still filters (as in PocketBase)', async () => {
    expect(await count('posts', "author.name != ''", null)).toBe(0);
    expect(await count('posts', "author.name != ''", tok['mia']!)).toBe(1);
  });
});
