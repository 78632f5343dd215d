// Records items of PocketBase's apis/record_crud_test.go that do not touch the write path: a view record whose id
// is a number is found by /records/1, and superusers are always answered `verified: true`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from '../helpers/scenario.ts';
import { startTestGalley, superuserToken, type TestGalley } from '../helpers/test-galley.ts';

const SCHEMA = {
  collections: [
    { name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] },
    { name: 'numbered', type: 'view', listRule: '', viewRule: '', viewQuery: 'SELECT (ROW_NUMBER() OVER (ORDER BY p.title)) AS id, p.title FROM posts p' },
  ],
};

describe('records: numeric view ids and superusers', () => {
  let g: TestGalley;
  const tokens: Record<string, string | null> = { guest: null };
  beforeAll(async () => {
    g = await startTestGalley(SCHEMA);
    tokens['root'] = await superuserToken(g);
    for (const title of ['a', 'b']) await g.call('POST', '/api/collections/posts/records', { body: { title } });
    const second = { email: 'second@example.com', password: 'password123', passwordConfirm: 'password123', verified: false };
    const created = await g.call('POST', '/api/collections/_superusers/records', { auth: tokens['root']!, body: second });
    if (created.status !== 200) throw new Error(created.text);
  });
  afterAll(() => g?.close());

  const table: Scenario[] = [
    { name: 'a view record with a numeric id is found by /records/1', method: 'GET', path: '/api/collections/numbered/records/1', as: 'guest', status: 200, check: (j) => expect(j).toMatchObject({ title: 'a' }) },
    { name: 'and /records/2', method: 'GET', path: '/api/collections/numbered/records/2', as: 'guest', status: 200, check: (j) => expect(j).toMatchObject({ title: 'b' }) },
    { name: 'a number no row has is a 404', method: 'GET', path: '/api/collections/numbered/records/3', as: 'guest', status: 404 },
    {
      name: 'superusers are answered verified: true',
      method: 'GET', path: '/api/collections/_superusers/records', as: 'root', status: 200,
      check: (j) => {
        expect(j.items.map((i: any) => i.email)).toEqual(expect.arrayContaining(['second@example.com']));
        for (const item of j.items) expect(item.verified).toBe(true);
      },
    },
  ];
  it.each(table)('$name', async (s) => {
    await runScenario(g, s, tokens);
  });
});
