// A TypeScript schema file is never rewritten: with --dev (or allowCollectionWrites) every collections API write
// answers 403 saying the file is TypeScript and to edit it, and the file keeps its text. A save of the file is
// applied live and reported through onSchemaChange (what `serve --types` writes from). (Bun: it imports the .ts.)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, upsertSuperuser, type Galley } from '../../src/index.ts';
import type { Schema } from '../../src/schema/model.ts';
import { callGalley } from '../helpers/test-galley.ts';
import { waitFor } from './harness.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

const SCHEMA = `export default { collections: [{ name: 'notes', listRule: '', viewRule: '', createRule: '', updateRule: null, deleteRule: null, fields: [{ name: 'text', type: 'text' }] }] };\n`;

let work: string;
let file: string;
let galley: Galley;
let root: string;
const changes: Schema[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'galley-ts-writes-'));
  file = join(work, 'galley.schema.ts');
  writeFileSync(file, SCHEMA);
  galley = await createGalley({ dir: join(work, 'data'), schemaFile: file, dev: true, logger: createTestLogger(), env: {}, onSchemaChange: (schema) => changes.push(schema) });
  await upsertSuperuser({ dir: join(work, 'data') }, 'root@example.com', 'rootpass123');
  const auth = await callGalley(galley, 'POST', '/api/collections/_superusers/auth-with-password', { body: { identity: 'root@example.com', password: 'rootpass123' } });
  root = auth.json.token;
});

afterAll(async () => {
  await galley?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('collections API writes with a TypeScript schema file (serve --dev)', () => {
  const writes: Array<[string, string, string, unknown]> = [
    ['create', 'POST', '/api/collections', { name: 'extra', type: 'base', fields: [{ name: 'x', type: 'text' }] }],
    ['update', 'PATCH', '/api/collections/notes', { listRule: null }],
    ['delete', 'DELETE', '/api/collections/notes', undefined],
    ['import', 'PUT', '/api/collections/import', { collections: [], deleteMissing: false }],
  ];

  it.each(writes)('%s answers 403 saying the file is TypeScript, and the file is unchanged', async (_name, method, path, body) => {
    const res = await callGalley(galley, method, path, { body, auth: root });
    expect(res.status).toBe(403);
    expect(res.json.message).toContain(`the schema file ${file} is TypeScript, which Galley does not rewrite. Edit the file instead`);
    expect(readFileSync(file, 'utf8')).toBe(SCHEMA);
  });

  it('reads still work: the collection is listed from the .ts file', async () => {
    const res = await callGalley(galley, 'GET', '/api/collections/notes', { auth: root });
    expect(res.status).toBe(200);
    expect(res.json.fields.map((f: { name: string }) => f.name)).toContain('text');
  });

  it('onSchemaChange had the schema at start; a saved .ts change is applied and reported once', async () => {
    expect(changes).toHaveLength(1);
    expect(changes[0]!.findCollection('notes')).toBeDefined();
    writeFileSync(file, SCHEMA.replace("{ name: 'text', type: 'text' }", "{ name: 'text', type: 'text' }, { name: 'stars', type: 'number' }"));
    const next = await waitFor('the reloaded schema', () => changes[1]);
    expect(next.findCollection('notes')?.fields.map((f) => f.name)).toContain('stars');
    expect(changes).toHaveLength(2);
    expect(galley.core.schema).toBe(next);
    const res = await callGalley(galley, 'POST', '/api/collections/notes/records', { body: { text: 'hi', stars: 3 } });
    expect(res.json).toMatchObject({ text: 'hi', stars: 3 });
  });
});
