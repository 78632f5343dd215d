// The dashboard's collection routes with a TypeScript schema file under --dev: the meta says writes are off with the
// collections API's own message (the file is TypeScript: edit it), and planning is refused the same way.
// (Bun: it imports the .ts.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, upsertSuperuser, type Galley } from '../../src/index.ts';
import { runScenario, type Scenario } from '../helpers/scenario.ts';
import { callGalley } from '../helpers/test-galley.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

let work: string;
let file: string;
let galley: Galley;
const tokens: Record<string, string | null> = {};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'galley-ts-plan-'));
  file = join(work, 'galley.schema.ts');
  writeFileSync(file, `export default { collections: [{ name: 'notes', fields: [{ name: 'text', type: 'text' }] }] };\n`);
  galley = await createGalley({ dir: join(work, 'data'), schemaFile: file, dev: true, logger: createTestLogger(), env: {} });
  await upsertSuperuser({ dir: join(work, 'data') }, 'root@example.com', 'rootpass123');
  const auth = await callGalley(galley, 'POST', '/api/collections/_superusers/auth-with-password', { body: { identity: 'root@example.com', password: 'rootpass123' } });
  tokens['root'] = auth.json.token;
});

afterAll(async () => {
  await galley?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('dashboard collection routes with a TypeScript schema file (serve --dev)', () => {
  const typescript = () => `the schema file ${file} is TypeScript, which Galley does not rewrite`;
  const table: Scenario[] = [
    {
      name: 'the meta says writes are off, with the message that says to edit the file',
      method: 'GET', path: '/api/galley/collections/meta', as: 'root', status: 200,
      check: (j) => {
        expect(j.writable).toBe(false);
        expect(j.message).toContain(typescript());
      },
    },
    {
      name: 'planning a change is refused as the write is',
      method: 'POST', path: '/api/galley/collections/plan', as: 'root', body: { action: 'update', id: 'notes', collection: { listRule: '' } }, status: 403,
      contains: [typescript],
    },
  ];
  it.each(table)('$name', async (s) => { await runScenario({ galley, call: (m, p, o) => callGalley(galley, m, p, o) }, s, tokens); });
});
