// Issue 18 item 3: a client's filter and sort have a cost budget (multi-valued hops, joins per statement).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOUR_HOP_FILTER, friendsUsers, SIX_HOP_FILTER } from './helpers/friends-collection.ts';
import { signUp, startTestGalley, superuserToken, runScenario, type Scenario, type TestGalley } from './helpers/test-galley.ts';

let t: TestGalley;
const tokens: Record<string, string> = {};
const ids: string[] = [];
const friendsDeep = (levels: number) => Array(levels).fill('friends').join('.');

beforeAll(async () => {
  t = await startTestGalley({ collections: [friendsUsers()] });
  const users: { id: string; token: string }[] = [];
  for (let i = 0; i < 10; i++) users.push(await signUp(t, 'users', { email: `u${i}@example.com`, name: `u${i}` }));
  for (const u of users) {
    const res = await t.call('PATCH', `/api/collections/users/records/${u.id}`, { auth: u.token, body: { friends: users.map((x) => x.id) } });
    expect(res.status, res.text).toBe(200);
  }
  tokens['u0'] = users[0]!.token;
  ids.push(...users.map((u) => u.id));
  tokens['root'] = await superuserToken(t);
}, 60_000);
afterAll(() => t?.close());

const list = (query: Record<string, string>) => `/api/collections/users/records?${new URLSearchParams(query)}`;

const run = (s: Scenario) => runScenario(t, s, tokens);

describe('the cost of a client filter is bounded', () => {
  it('the reproduction (ten users, each friends with the ten, six hops) is a 400 at once, not a hang', async () => {
    const res = await t.call('GET', list({ filter: SIX_HOP_FILTER }), { auth: tokens['u0'] });
    expect(res.json).toMatchInlineSnapshot(`
      {
        "data": {},
        "message": "Filter is too complex: too many multi-valued relation hops (6, max 4).",
        "status": 400,
      }
    `);
  });

  const table: Scenario[] = [
    { name: 'a superuser is held to the same budget', method: 'GET', path: list({ filter: SIX_HOP_FILTER }), as: 'root', status: 400, contains: ['(6, max 4)'] },
    { name: 'the budget counts the sort with the filter', method: 'GET', path: list({ filter: "friends.friends.friends.friends.name ?= 'u1'", sort: 'users_via_friends.name' }), as: 'u0', status: 400, contains: ['too many multi-valued relation hops (5, max 4)'] },
    { name: 'an all-of comparison counts its path twice', method: 'GET', path: list({ filter: "friends.friends.friends.name = 'u1'" }), as: 'u0', status: 400, contains: ['(6, max 4)'] },
    { name: 'paths sharing their hops count them once', method: 'GET', path: list({ filter: "friends.name ?= 'u1' && friends.friends.name ?= 'u2' && friends.friends.friends.name ?= 'u3'" }), as: 'u0', status: 200, contains: ['"totalItems":10'] },
    { name: 'four hops are allowed', method: 'GET', path: list({ filter: FOUR_HOP_FILTER, perPage: '1' }), as: 'u0', status: 200, contains: ['"totalItems":0'] },
    { name: 'a count-free page of a costly list answers too', method: 'GET', path: list({ filter: "friends.friends.friends.friends.name ?= 'u9'", skipTotal: '1', perPage: '2' }), as: 'u0', status: 200, contains: ['"totalItems":-1', '"name":"u0"'] },
    { name: 'the 403 for @request in a client filter comes first', method: 'GET', path: list({ filter: `@request.auth.id != '' && ${SIX_HOP_FILTER}` }), as: 'u0', status: 403 },
    { name: 'so does "too long"', method: 'GET', path: list({ filter: `${SIX_HOP_FILTER} && name != '${'x'.repeat(3500)}'` }), as: 'u0', status: 400, contains: ['too long'] },
    { name: 'a cheap filter is untouched', method: 'GET', path: list({ filter: "friends.name ?= 'u1'", sort: 'name', perPage: '3' }), as: 'u0', status: 200, contains: ['"totalItems":10', '"name":"u0"'] },
  ];
  it.each(table)('$name', async (s) => {
    await run(s);
  });
});

describe('the records an expand nests in one response are bounded', () => {
  const table: Scenario[] = [
    { name: 'three levels of ten friends for ten users (11,100 records) answer', method: 'GET', path: list({ expand: friendsDeep(3) }), as: 'u0', status: 200, contains: ['"expand":{"friends":[{'] },
    { name: 'six levels (11 million records, gigabytes of JSON) are a 400 at once', method: 'GET', path: list({ expand: friendsDeep(6) }), as: 'u0', status: 400, contains: ['Expand is too large: the response would nest more than 100000 records'] },
    { name: 'so is one record viewed five levels deep (111,110 records)', method: 'GET', path: () => `/api/collections/users/records/${ids[0]}?expand=${friendsDeep(5)}`, as: 'u0', status: 400, contains: ['Expand is too large'] },
    { name: 'one record four levels deep answers', method: 'GET', path: () => `/api/collections/users/records/${ids[0]}?expand=${friendsDeep(4)}`, as: 'u0', status: 200, contains: ['"expand":{"friends":[{'] },
    { name: 'a sign-in with an oversize expand answers without it', method: 'POST', path: `/api/collections/users/auth-with-password?expand=${friendsDeep(6)}`, body: { identity: 'u1@example.com', password: 'password123' }, status: 200, contains: ['"token":', '"email":"u1@example.com"'], notContains: ['"expand"'] },
    { name: 'and with one that fits, with it', method: 'POST', path: `/api/collections/users/auth-with-password?expand=${friendsDeep(2)}`, body: { identity: 'u1@example.com', password: 'password123' }, status: 200, contains: ['"expand":{"friends":[{'] },
    { name: 'after a write the oversize expand is left out, the write answered as usual', method: 'PATCH', path: () => `/api/collections/users/records/${ids[0]}?expand=${friendsDeep(6)}`, body: { name: 'u0 again' }, as: 'u0', status: 200, contains: ['"name":"u0 again"'], notContains: ['"expand"'] },
  ];
  it.each(table)('$name', async (s) => {
    await run(s);
  });
});
