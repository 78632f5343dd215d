// Cached statements (rules, filters and views that read nothing from the request) must answer exactly as
// freshly compiled ones: per caller kind, per filter, per page, and always over current data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGalley, superuserToken, type TestGalley } from './helpers/test-galley.ts';

const SCHEMA = [
  {
    name: 'things',
    type: 'base',
    listRule: "status != 'hidden'",
    viewRule: "status != 'hidden'",
    createRule: '',
    fields: [
      { name: 'status', type: 'text' },
      { name: 'n', type: 'number' },
    ],
  },
];

let t: TestGalley;
let root = '';
const ids: Record<string, string> = {};
beforeAll(async () => {
  t = await startTestGalley(SCHEMA);
  root = await superuserToken(t);
  for (const [name, status, n] of [['a', 'shown', 1], ['b', 'hidden', 2], ['c', 'shown', 3]] as const) {
    ids[name] = (await t.call('POST', '/api/collections/things/records', { body: { status, n } })).json.id;
  }
});
afterAll(() => t?.close());

const listed = async (query: string, auth: string | null = null) =>
  (await t.call('GET', `/api/collections/things/records?${query}`, { auth })).json.items.map((i: { n: number }) => i.n);

describe('statement cache', () => {
  it('keeps guests and superusers apart', async () => {
    expect(await listed('sort=n')).toEqual([1, 3]);
    expect(await listed('sort=n', root)).toEqual([1, 2, 3]);
    expect(await listed('sort=n')).toEqual([1, 3]);
  });

  it('keeps filters, sorts and pages apart', async () => {
    expect(await listed(`sort=n&filter=${encodeURIComponent('n > 1')}`)).toEqual([3]);
    expect(await listed(`sort=n&filter=${encodeURIComponent('n > 0')}`)).toEqual([1, 3]);
    expect(await listed('sort=-n')).toEqual([3, 1]);
    expect(await listed('sort=n&perPage=1&page=2')).toEqual([3]);
  });

  it('caches statements, not data', async () => {
    expect(await listed('sort=n')).toEqual([1, 3]);
    await t.call('POST', '/api/collections/things/records', { body: { status: 'shown', n: 4 } });
    expect(await listed('sort=n')).toEqual([1, 3, 4]);
    const counted = await t.call('GET', '/api/collections/things/records?sort=n');
    expect(counted.json.totalItems).toBe(3);
  });

  it('binds the id of a cached view statement per request', async () => {
    expect((await t.call('GET', `/api/collections/things/records/${ids['a']}`)).json.n).toBe(1);
    expect((await t.call('GET', `/api/collections/things/records/${ids['c']}`)).json.n).toBe(3);
    expect((await t.call('GET', `/api/collections/things/records/${ids['b']}`)).status).toBe(404);
    expect((await t.call('GET', `/api/collections/things/records/${ids['b']}`, { auth: root })).json.n).toBe(2);
    expect((await t.call('GET', '/api/collections/things/records/%00galley:slot%00')).status).toBe(404);
  });
});
