// The switch behind the core suite's PostgreSQL run: under GALLEY_TEST_DATABASE=postgres (vitest.postgres.config.ts)
// the shared helpers start their Galley on a database of the run's cluster, and a restart on the same dir finds the
// same data; otherwise on SQLite in the dir. Runs in every project, so each run proves which engine it tested.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAuthGalley } from '../auth/harness.ts';
import { superuserToken, startTestGalley, type TestGalley } from './test-galley.ts';
import { testsOnPostgres } from './test-database.ts';

const SCHEMA = [{ name: 'notes', type: 'base', listRule: '', createRule: '', fields: [{ name: 'text', type: 'text' }] }];
const open: TestGalley[] = [];
afterAll(async () => {
  for (const t of open.reverse()) await t.close();
});

describe(`test Galleys on ${testsOnPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('startTestGalley serves from the engine the run asks for, superusers included', async () => {
    const t = await startTestGalley(SCHEMA);
    open.push(t);
    expect(t.galley.core.config.database === undefined).toBe(!testsOnPostgres);
    expect(t.database === undefined).toBe(!testsOnPostgres);
    expect(existsSync(join(t.dir, 'data.db'))).toBe(!testsOnPostgres);
    const root = await superuserToken(t);
    const created = await t.call('POST', '/api/collections/notes/records', { body: { text: 'hello' }, auth: root });
    expect(created.status, created.text).toBe(200);
  });

  it('a restart on the same dir finds the same records; another Galley starts empty', async () => {
    const first = await startAuthGalley(SCHEMA);
    open.push(first);
    expect((await first.call('POST', '/api/collections/notes/records', { body: { text: 'kept' } })).status).toBe(200);
    await first.galley.close();
    const again = await startAuthGalley(SCHEMA, { dir: first.dir });
    open.push(again);
    expect(again.database).toBe(first.database);
    expect((await again.call('GET', '/api/collections/notes/records')).json.items.map((r: { text: string }) => r.text)).toEqual(['kept']);
    const other = await startAuthGalley(SCHEMA);
    open.push(other);
    expect((await other.call('GET', '/api/collections/notes/records')).json.totalItems).toBe(0);
  });
});
