// A rule comparing a bool of the request with true/false (`@request.auth.verified = true`, a bool field of the user,
// a JSON true in the body) gives the same answer on SQLite and PostgreSQL: the value is bound from the request, the keyword
// is the filter language's, and the two must meet whatever each database calls a boolean.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestGalley, superuserToken, type TestGalley } from '../helpers/test-galley.ts';

const schema = {
  collections: [
    {
      name: 'users',
      type: 'auth',
      listRule: '',
      viewRule: '',
      createRule: '',
      fields: [{ name: 'vip', type: 'bool' }],
    },
    {
      name: 'verified_only',
      listRule: '@request.auth.verified = true',
      viewRule: '@request.auth.verified = true',
      createRule: null,
      fields: [{ name: 'title', type: 'text' }],
    },
    {
      name: 'unverified_only',
      listRule: "@request.auth.id != '' && @request.auth.verified = false",
      viewRule: null,
      createRule: null,
      fields: [{ name: 'title', type: 'text' }],
    },
    {
      name: 'agreements',
      listRule: null,
      viewRule: null,
      createRule: '@request.body.agree = true',
      fields: [{ name: 'agree', type: 'bool' }],
    },
    {
      name: 'vip_only',
      listRule: '@request.auth.vip = true',
      viewRule: null,
      createRule: null,
      fields: [{ name: 'title', type: 'text' }],
    },
  ],
};

let t: TestGalley;
const tokens: Record<string, string> = {};
let verifiedRow = '';

beforeAll(async () => {
  t = await startTestGalley(schema);
  const root = await superuserToken(t);
  for (const collection of ['verified_only', 'unverified_only', 'vip_only']) {
    const res = await t.call('POST', `/api/collections/${collection}/records`, { body: { title: collection }, auth: root });
    expect(res.status).toBe(200);
    if (collection === 'verified_only') verifiedRow = res.json.id;
  }
  const vera = await signUp(t, 'users', { email: 'vera@example.com' });
  const uma = await signUp(t, 'users', { email: 'uma@example.com' });
  expect((await t.call('PATCH', `/api/collections/users/records/${vera.id}`, { body: { verified: true, vip: true }, auth: root })).status).toBe(200);
  // a new token after the change (the token itself carries no verified flag; the record is read per request)
  tokens['vera'] = vera.token;
  tokens['uma'] = uma.token;
});
afterAll(async () => {
  await t?.close();
});

async function titles(collection: string, who: string | null): Promise<string[]> {
  const res = await t.call('GET', `/api/collections/${collection}/records`, { auth: who ? tokens[who]! : null });
  expect(res.status).toBe(200);
  return res.json.items.map((r: { title: string }) => r.title);
}

describe('bool values of the auth record in rules', () => {
  it('@request.auth.verified = true lets a verified user list and view, not an unverified one or a guest', async () => {
    expect(await titles('verified_only', 'vera')).toEqual(['verified_only']);
    expect(await titles('verified_only', 'uma')).toEqual([]);
    expect(await titles('verified_only', null)).toEqual([]);
    expect((await t.call('GET', `/api/collections/verified_only/records/${verifiedRow}`, { auth: tokens['vera']! })).status).toBe(200);
    expect((await t.call('GET', `/api/collections/verified_only/records/${verifiedRow}`, { auth: tokens['uma']! })).status).toBe(404);
  });

  it('@request.auth.verified = false matches an unverified user only', async () => {
    expect(await titles('unverified_only', 'uma')).toEqual(['unverified_only']);
    expect(await titles('unverified_only', 'vera')).toEqual([]);
  });

  it('a JSON true in the body compares with true (createRule @request.body.agree = true)', async () => {
    const create = (agree: unknown) => t.call('POST', '/api/collections/agreements/records', { body: { agree }, auth: tokens['uma']! });
    expect((await create(true)).status).toBe(200);
    expect((await create(false)).status).toBe(400);
  });

  it('a bool field of the auth record compares with true', async () => {
    expect(await titles('vip_only', 'vera')).toEqual(['vip_only']);
    expect(await titles('vip_only', 'uma')).toEqual([]);
  });
});
