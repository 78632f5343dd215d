// A request-free list keeps its plan (statement + cost verdict) across requests: what the cost check refuses is
// refused on every ask, and a kept plan answers with current data per caller kind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGalley, superuserToken, type TestGalley } from './helpers/test-galley.ts';

const SCHEMA = [
  {
    name: 'notes',
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
beforeAll(async () => {
  t = await startTestGalley(SCHEMA);
  root = await superuserToken(t);
  for (const [status, n] of [['shown', 1], ['hidden', 2]] as const) await t.call('POST', '/api/collections/notes/records', { body: { status, n } });
});
afterAll(() => t?.close());

const list = (query: Record<string, string>, auth: string | null = null) =>
  t.call('GET', `/api/collections/notes/records?${new URLSearchParams(query)}`, { auth });

describe('list plans', () => {
  it('a too long request-free filter is a 400 every time it is asked', async () => {
    const filter = `status != '${'x'.repeat(3500)}'`;
    for (let ask = 0; ask < 2; ask++) {
      const res = await list({ filter, skipTotal: '1' });
      expect(res.status).toBe(400);
      expect(res.text).toContain('too long');
    }
  });

  it('a kept plan answers per caller kind and with current data', async () => {
    const query = { filter: 'n > 0', sort: 'n', skipTotal: '1' };
    const ns = async (auth: string | null) => (await list(query, auth)).json.items.map((i: { n: number }) => i.n);
    expect(await ns(null)).toEqual([1]);
    expect(await ns(root)).toEqual([1, 2]);
    await t.call('POST', '/api/collections/notes/records', { body: { status: 'shown', n: 3 } });
    expect(await ns(null)).toEqual([1, 3]);
    expect(await ns(root)).toEqual([1, 2, 3]);
  });
});
