// The names a PostgreSQL database keeps for Galley beside the collections (schema/reserved-names.ts): the list is
// what a served database really holds, a schema taking one is refused at load (serve), and migrate-data refuses
// to copy such an app into PostgreSQL, while the same app runs on SQLite (its request log is in aux.db there).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { createGalley, migrateData } from '../../src/index.ts';
import { POSTGRES_RESERVED_NAMES } from '../../src/schema/reserved-names.ts';
import { describePostgres, usePostgresDatabase } from '../helpers/postgres.ts';
import { callGalley, readExample } from '../helpers/test-galley.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

describePostgres('names PostgreSQL keeps for Galley', () => {
  const served = usePostgresDatabase();
  const empty = usePostgresDatabase();
  const target = usePostgresDatabase();
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'galley-reserved-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const logsCollection = [{ name: '_logs', listRule: '', createRule: '', fields: [{ name: 'line', type: 'text' }] }];

  it("are the relations a served database holds that are neither a collection's nor _galley_", async () => {
    const g = await createGalley({ dir: newDir(), database: served.get().url, schema: readExample('blog.json'), logger: createTestLogger() });
    try {
      const names = new Set(g.core.schema.collections.map((c) => c.name.toLowerCase()));
      // every table, view and index of the schema, with the table an index belongs to
      const { rows } = await sql<{ name: string; owner: string }>`SELECT c.relname AS name, COALESCE(t.relname, c.relname) AS owner FROM pg_class c
        LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'i', 'v', 'p', 'm')`.execute(g.core.db.read);
      const galleys = rows.filter((r) => !names.has(r.owner.toLowerCase()) && !r.name.startsWith('_galley_') && !r.owner.startsWith('_galley_'));
      expect(galleys.map((r) => r.name).sort()).toEqual([...POSTGRES_RESERVED_NAMES.relations.keys()].sort());
    } finally {
      await g.close();
    }
  }, 60_000);

  it('a schema with a collection called _logs is refused at load, naming it and the fix, before the database is touched', async () => {
    const start = createGalley({ dir: newDir(), database: empty.get().url, schema: logsCollection, logger: createTestLogger() });
    await expect(start).rejects.toThrow(/collections\/0\/name: the collection name "_logs" is reserved on PostgreSQL: Galley keeps its request log .* Rename the collection/);
    const g = await createGalley({ dir: newDir(), database: empty.get().url, logger: createTestLogger() });
    try {
      expect(g.startReport.schemaSource).toBe('none');
    } finally {
      await g.close();
    }
  }, 60_000);

  it('an app with a _logs collection runs on SQLite, and migrate-data refuses to copy it into PostgreSQL, writing nothing', async () => {
    const source = newDir();
    const g = await createGalley({ dir: source, schema: logsCollection, logger: createTestLogger() });
    try {
      expect((await callGalley(g, 'POST', '/api/collections/_logs/records', { body: { line: 'kept' } })).status).toBe(200);
      expect((await callGalley(g, 'GET', '/api/collections/_logs/records')).json).toMatchObject({ totalItems: 1, items: [{ line: 'kept' }] });
    } finally {
      await g.close();
    }
    await expect(migrateData({ from: source, to: target.get().url })).rejects.toThrow(/cannot hold the app as it is: the collection name "_logs" is reserved on PostgreSQL.*Rename on the source first/);
    const after = await createGalley({ dir: newDir(), database: target.get().url, logger: createTestLogger() });
    try {
      expect(after.startReport.schemaSource).toBe('none');
    } finally {
      await after.close();
    }
  }, 60_000);
});
