// Record events leave only after the commit that holds them: never for a write that failed or rolled back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordEvent } from '../src/hooks/event-bus.ts';
import { startTestGalley, superuserToken, type TestGalley } from './helpers/test-galley.ts';

const SCHEMA = {
  collections: [
    { name: 'lists', type: 'base', listRule: '', viewRule: '', createRule: "name != 'forbidden'", updateRule: '', deleteRule: '', fields: [{ name: 'name', type: 'text', required: true }] },
    {
      name: 'items',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
      fields: [
        { name: 'list', type: 'relation', collectionId: 'lists', maxSelect: 1, cascadeDelete: true },
        { name: 'label', type: 'text' },
      ],
    },
  ],
};

let t: TestGalley;
const events: RecordEvent[] = [];
beforeAll(async () => {
  t = await startTestGalley(SCHEMA);
  t.galley.core.hooks.onRecord((e) => events.push(e));
});
afterAll(() => t?.close());

const names = () => events.map((e) => `${e.action}:${e.collection.name}`);

describe('record events', () => {
  it('a create emits one event after commit, with the stored row', async () => {
    events.length = 0;
    const res = await t.call('POST', '/api/collections/lists/records', { body: { name: 'groceries' } });
    expect(res.status).toBe(200);
    expect(names()).toEqual(['create:lists']);
    expect(events[0]!.row['id']).toBe(res.json.id);
  });

  it('a create refused by validation or by its rule emits nothing', async () => {
    events.length = 0;
    expect((await t.call('POST', '/api/collections/lists/records', { body: {} })).status).toBe(400);
    expect((await t.call('POST', '/api/collections/lists/records', { body: { name: 'forbidden' } })).status).toBe(400);
    expect(events).toEqual([]);
    const listed = await t.call('GET', `/api/collections/lists/records?filter=${encodeURIComponent("name = 'forbidden'")}`, { auth: await superuserToken(t) });
    expect(listed.json.totalItems).toBe(0);
  });

  it('concurrent writes in one group commit each emit their own event; a failing one does not', async () => {
    events.length = 0;
    const results = await Promise.all([
      t.call('POST', '/api/collections/lists/records', { body: { name: 'a' } }),
      t.call('POST', '/api/collections/lists/records', { body: { name: 'forbidden' } }),
      t.call('POST', '/api/collections/lists/records', { body: { name: 'b' } }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 400, 200]);
    expect(names().sort()).toEqual(['create:lists', 'create:lists']);
  });

  it('a cascading delete emits the deletes of the dependents and of the record', async () => {
    const list = await t.call('POST', '/api/collections/lists/records', { body: { name: 'to delete' } });
    await t.call('POST', '/api/collections/items/records', { body: { list: list.json.id, label: 'x' } });
    await t.call('POST', '/api/collections/items/records', { body: { list: list.json.id, label: 'y' } });
    events.length = 0;
    expect((await t.call('DELETE', `/api/collections/lists/records/${list.json.id}`)).status).toBe(204);
    expect(names().sort()).toEqual(['delete:items', 'delete:items', 'delete:lists']);
    const left = await t.call('GET', `/api/collections/items/records?filter=${encodeURIComponent(`list = '${list.json.id}'`)}`);
    expect(left.json.totalItems).toBe(0);
  });
});
