// A Galley without --dev follows migrations applied to its data.db by another connection (what `galley migrate
// apply` does from another process): Bun and Node alike, through handle().
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigration, createGalley, type Galley } from '../src/index.ts';
import { createTestLogger } from './helpers/test-logger.ts';
import { callGalley } from './helpers/test-galley.ts';

const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: null };
const notes = (fields: object[]) => JSON.stringify([{ name: 'notes', type: 'base', ...open, fields }]);

let galley: Galley | undefined;
let dir: string;
afterEach(async () => {
  await galley?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('the server did not switch to the applied schema');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('following the applied schema', () => {
  it('switches to a renamed and an added field applied from outside, keeping the data', async () => {
    dir = mkdtempSync(join(tmpdir(), 'galley-follow-'));
    const file = join(dir, 'schema.json');
    writeFileSync(file, notes([{ name: 'text', type: 'text' }]));
    const logged: string[] = [];
    galley = await createGalley({ dir: join(dir, 'data'), schemaFile: file, logger: createTestLogger('info', (line) => logged.push(line)) });
    const created = await callGalley(galley, 'POST', '/api/collections/notes/records', { body: { text: 'kept' } });
    expect(created.status).toBe(200);

    writeFileSync(file, notes([{ name: 'body', type: 'text', renamedFrom: 'text' }, { name: 'stars', type: 'number' }]));
    const applied = await applyMigration({ dir: join(dir, 'data'), schemaFile: file });
    expect(applied.steps.map((s) => s.kind)).toEqual(['renameColumn', 'addColumn']);

    const item = await until(async () => {
      const list = await callGalley(galley!, 'GET', '/api/collections/notes/records');
      const first = list.json.items[0] as Record<string, unknown>;
      return 'body' in first ? first : undefined;
    });
    expect(item).toMatchObject({ body: 'kept', stars: 0 });
    expect((await callGalley(galley, 'POST', '/api/collections/notes/records', { body: { body: 'new', stars: 2 } })).json).toMatchObject({ body: 'new', stars: 2 });
    expect(logged.join('\n')).toContain(`now serving the schema file ${file}`);
    expect(galley.core.config.dev).toBe(false);
  });
});
