// Expand over self-references and cycles: bounded at depth 6, each level judged by the view rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGalley, type TestGalley } from './helpers/test-galley.ts';

const SCHEMA = [
  {
    name: 'nodes',
    type: 'base',
    listRule: '',
    viewRule: "secret = false",
    createRule: '',
    updateRule: '',
    fields: [
      { name: 'label', type: 'text' },
      { name: 'secret', type: 'bool' },
      { name: 'next', type: 'relation', collectionId: 'nodes', maxSelect: 1 },
      { name: 'links', type: 'relation', collectionId: 'nodes', maxSelect: 5 },
    ],
  },
];

let t: TestGalley;
const ids: Record<string, string> = {};
beforeAll(async () => {
  t = await startTestGalley(SCHEMA);
  for (const label of ['a', 'b', 'hidden']) {
    ids[label] = (await t.call('POST', '/api/collections/nodes/records', { body: { label, secret: label === 'hidden' } })).json.id;
  }
  // a → b → a (a cycle), and a links to b and the hidden node
  await t.call('PATCH', `/api/collections/nodes/records/${ids['a']}`, { body: { next: ids['b'], links: [ids['b'], ids['hidden']] } });
  await t.call('PATCH', `/api/collections/nodes/records/${ids['b']}`, { body: { next: ids['a'] } });
});
afterAll(() => t?.close());

function depthOf(record: any, field: string): number {
  let depth = 0;
  for (let r = record; r?.expand?.[field]; r = r.expand[field]) depth++;
  return depth;
}

describe('expand', () => {
  it('follows a cycle no deeper than 6 levels and terminates', async () => {
    const path = Array.from({ length: 10 }, () => 'next').join('.');
    const res = await t.call('GET', `/api/collections/nodes/records/${ids['a']}?expand=${path}`);
    expect(res.status).toBe(200);
    expect(depthOf(res.json, 'next')).toBe(6);
    expect(res.json.expand.next.expand.next.label).toBe('a');
  });

  it('leaves out related records the view rule hides, keeping the order of the rest', async () => {
    const res = await t.call('GET', `/api/collections/nodes/records/${ids['a']}?expand=links`);
    expect(res.json.links).toEqual([ids['b'], ids['hidden']]);
    expect(res.json.expand.links.map((n: any) => n.label)).toEqual(['b']);
  });

  it('expands back-relations and ignores unknown names without failing', async () => {
    const res = await t.call('GET', `/api/collections/nodes/records/${ids['b']}?expand=nodes_via_next,nope,next.nope`);
    expect(res.status).toBe(200);
    expect(res.json.expand.nodes_via_next.map((n: any) => n.label)).toEqual(['a']);
    expect(res.json.expand.next.label).toBe('a');
  });

  it('fields reaches into expand', async () => {
    const res = await t.call('GET', `/api/collections/nodes/records/${ids['a']}?expand=next&fields=label,expand.next.label`);
    expect(res.json).toEqual({ label: 'a', expand: { next: { label: 'b' } } });
  });
});
