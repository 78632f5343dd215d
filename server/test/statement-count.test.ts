// How many SQLite statements a request runs on data.db (issue 16): a get by id through a view rule is one
// statement, prepared once and reused; a list is one (two with its total); a create is its group-commit
// transaction around one INSERT and the createRule check. Counted on the connections themselves (db/driver.ts), so a statement added
// anywhere on the path (a second lookup, a findManagedIds, an uncached rule) shows up here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../src/db/open.ts';
import { startTestGalley, type TestGalley } from './helpers/test-galley.ts';

const SCHEMA = [
  {
    name: 'items',
    type: 'base',
    listRule: "category != 'hidden'",
    viewRule: "category != 'hidden'",
    createRule: "category != ''",
    fields: [
      { name: 'category', type: 'text', required: true, max: 20 },
      { name: 'body', type: 'text', max: 1000 },
      { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
      { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
    ],
  },
];

let t: TestGalley;
const ids: string[] = [];
beforeAll(async () => {
  t = await startTestGalley(SCHEMA);
  for (const category of ['a', 'b', 'a']) {
    ids.push((await t.call('POST', '/api/collections/items/records', { body: { category, body: 'x' } })).json.id);
  }
});
afterAll(() => t?.close());

/** Statements executed and prepared on data.db while `send` runs (its answer's status is checked too). */
async function countWhile(send: () => Promise<{ status: number }>, status = 200): Promise<{ executed: number; prepared: number }> {
  const db = t.galley.core.db as OpenedDatabase;
  const before = db.statementCounts();
  const res = await send();
  expect(res.status).toBe(status);
  const after = db.statementCounts();
  return { executed: after.executed - before.executed, prepared: after.prepared - before.prepared };
}

describe('statements per request', () => {
  it('a get by id through a view rule is one statement, prepared once and then reused', async () => {
    const get = (id: string) => countWhile(() => t.call('GET', `/api/collections/items/records/${id}`));
    await get(ids[0]!); // the first may prepare it
    expect(await get(ids[1]!)).toEqual({ executed: 1, prepared: 0 });
    expect(await get(ids[2]!)).toEqual({ executed: 1, prepared: 0 });
    expect(await countWhile(() => t.call('GET', '/api/collections/items/records/nosuchrecord000'), 404)).toEqual({ executed: 1, prepared: 0 });
  });

  it('a list is one statement with skipTotal, two with its total, none prepared again', async () => {
    const list = (query: string) => countWhile(() => t.call('GET', `/api/collections/items/records?${query}`));
    const filter = encodeURIComponent("category = 'a'");
    await list(`filter=${filter}&sort=-created&skipTotal=1`);
    await list(`filter=${filter}&sort=-created`);
    expect(await list(`filter=${filter}&sort=-created&skipTotal=1`)).toEqual({ executed: 1, prepared: 0 });
    expect(await list(`filter=${filter}&sort=-created`)).toEqual({ executed: 2, prepared: 0 });
  });

  it('a create is BEGIN, its INSERT, the createRule check on the new row and COMMIT, none prepared again', async () => {
    // wire: PocketBase checks a non-empty createRule against the inserted row inside the transaction
    const create = () => countWhile(() => t.call('POST', '/api/collections/items/records', { body: { category: 'c', body: 'y' } }));
    await create();
    expect(await create()).toEqual({ executed: 4, prepared: 0 });
  });
});
