// The collections list (admin/collections.ts: filter and sort over the collections as a VALUES table) answers the
// same on SQLite and on PostgreSQL: its values typed as columns (untyped, PostgreSQL reads every VALUES column as
// text: the file order `i` sorted '10' before '2', `system = true` raised) and its filter in the database's dialect.
import { expect, it } from 'vitest';
import { listCollectionsJson } from '../../src/admin/collections.ts';
import type { Core } from '../../src/core.ts';
import type { Database } from '../../src/db/database.ts';
import { GalleyError } from '../../src/errors.ts';
import { superuserRequest } from '../../src/rules/request-info.ts';
import { loadSchema } from '../../src/schema/load.ts';
import { usePairedDatabases } from '../helpers/paired-databases.ts';
import { describePostgres } from '../helpers/postgres.ts';

// more than ten, so the file order's tie-break meets two-digit positions
const COLLECTIONS = [
  ...Array.from({ length: 10 }, (_, n) => ({ name: `Coll${n + 1}`, fields: [{ name: 'title', type: 'text' }] })),
  { name: 'members', type: 'auth', fields: [] },
  { name: 'notes', fields: [{ name: 'body', type: 'text' }] },
];

const QUERIES: Array<Record<string, string>> = [
  {},
  { sort: 'name' },
  { sort: '-type,name' },
  { sort: '-system' },
  { filter: 'system = true' },
  { filter: "name ~ 'COLL1'" },
  { filter: "type = 'auth' || name > 'Coll5'", sort: '-name' },
  { filter: 'created != ""' },
  { perPage: '4', page: '3' },
  { filter: 'nope = 1' },
];

async function listAll(db: Database): Promise<unknown[]> {
  const schema = loadSchema(COLLECTIONS);
  const core = { db, schema } as unknown as Core;
  const root = superuserRequest(schema.findCollection('_superusers')!);
  const out: unknown[] = [];
  for (const query of QUERIES) {
    try {
      const page = await listCollectionsJson(core, root, query);
      out.push({ query, totalItems: page.totalItems, names: page.items.map((c) => c['name']) });
    } catch (err) {
      if (!(err instanceof GalleyError)) throw err;
      out.push({ query, error: err.message });
    }
  }
  return out;
}

describePostgres('the collections list on PostgreSQL: the same answers as on SQLite', () => {
  const { lite, pg, dir } = usePairedDatabases('collections', COLLECTIONS);

  it('filters, sorts and pages the collections alike', async () => {
    const onSqlite = await listAll(lite());
    const onPostgres = await listAll(pg());
    // the scenario means something on SQLite: file order past ten, case-insensitive ~, a refused field
    expect((onSqlite[0] as { names: string[] }).names.slice(-3)).toEqual(['Coll10', 'members', 'notes']);
    expect(onSqlite[5]).toMatchObject({ names: ['Coll1', 'Coll10'] });
    expect(onSqlite[4]).toMatchObject({ totalItems: expect.any(Number) });
    expect((onSqlite[4] as { totalItems: number }).totalItems).toBeGreaterThan(2);
    expect(onSqlite.at(-1)).toMatchObject({ error: expect.any(String) });
    expect(onPostgres).toEqual(onSqlite);
  }, 60_000);
});
