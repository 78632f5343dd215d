// TypeScript schema files: loaded as JSON files are (same checks, same pointers), fresh on every load, and every way
// a module can fail names the file and the fix. Under Node 20 (no .ts imports) the one clear message is the test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { copyTsSchemaForVitest } from '../../test/helpers/ts-schema-copy.ts';
import { loadSchemaFile, loadSchemaSource } from './load.ts';
import { SchemaError } from './schema-error.ts';
import { explainImportFailure } from './schema-module.ts';

const isBun = Boolean(process.versions.bun);
const dir = mkdtempSync(join(tmpdir(), 'galley-ts-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function messageOf(load: Promise<unknown>): Promise<string> {
  const err = await load.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SchemaError);
  return (err as SchemaError).message;
}

const notes = (field = "{ name: 'text', type: 'text' }") =>
  `export default { collections: [{ name: 'notes', listRule: '', viewRule: '', createRule: null, updateRule: null, deleteRule: null, fields: [${field}] }] };\n`;

describe.runIf(isBun)('a TypeScript schema file (Bun)', () => {
  it('blog.schema.ts loads to exactly what blog.json loads to', async () => {
    const examples = fileURLToPath(new URL('../../../schema-examples/', import.meta.url));
    const fromTs = await loadSchemaSource(copyTsSchemaForVitest(join(examples, 'blog.schema.ts')));
    expect(fromTs.collections).toEqual(loadSchemaFile(join(examples, 'blog.json')).collections);
    expect(fromTs.findCollection('posts')?.fields.map((f) => f.name)).toContain('status');
  });

  it('`export const schema` works as well as a default export, and .mts as .ts', async () => {
    const path = write('named.mts', notes().replace('export default', 'const typed: { collections: unknown[] } =') + 'export const schema = typed;\n');
    expect((await loadSchemaSource(path)).findCollection('notes')?.fields.some((f) => f.name === 'text')).toBe(true);
  });

  it('is imported again on every load, so a saved change is seen', async () => {
    const path = write('reload.ts', notes());
    expect((await loadSchemaSource(path)).findCollection('notes')?.fields.some((f) => f.name === 'stars')).toBe(false);
    writeFileSync(path, notes("{ name: 'text', type: 'text' }, { name: 'stars', type: 'number' }"));
    expect((await loadSchemaSource(path)).findCollection('notes')?.fields.some((f) => f.name === 'stars')).toBe(true);
  });

  it("reports a bad schema with the JSON file's pointers and messages", async () => {
    const bad = { collections: [{ name: 'notes', fields: [{ name: 'title', type: 'txt' }] }] };
    const fromTs = await messageOf(loadSchemaSource(write('bad.ts', `export default ${JSON.stringify(bad)};\n`)));
    const fromJson = await messageOf(loadSchemaSource(write('bad.json', JSON.stringify(bad))));
    expect(fromTs).toContain('collections/0/fields/0/type: "txt" is not a field type; did you mean "text"?');
    expect(fromTs.replace(join(dir, 'bad.ts'), 'FILE')).toBe(fromJson.replace(join(dir, 'bad.json'), 'FILE'));
  });

  it('a module that throws names the file, the error and the fix', async () => {
    const path = write('throws.ts', "throw new Error('boom at load');\nexport default {};\n");
    const message = await messageOf(loadSchemaSource(path));
    expect(message).toContain(path);
    expect(message).toContain('boom at load');
    expect(message).toContain('export default defineSchema({ collections: [ … ] })');
  });

  it('a module that exports no schema names the file and the fix', async () => {
    const path = write('empty.ts', 'export const nothing = 1;\n');
    const message = await messageOf(loadSchemaSource(path));
    expect(message).toContain(`${path}: 1 problem`);
    expect(message).toContain('the module exports no schema (no default export and no `export const schema`)');
    expect(message).toContain("import { defineSchema } from '@galley/sdk'");
  });

  it('a function export or a value that is not JSON data is refused with its pointer', async () => {
    expect(await messageOf(loadSchemaSource(write('fn.ts', 'export default () => ({ collections: [] });\n')))).toContain('the module exports a function, not a schema');
    const dated = await messageOf(loadSchemaSource(write('date.ts', notes("{ name: 'text', type: 'text', help: new Date(0) }"))));
    expect(dated).toContain('collections/0/fields/0/help: a Date object is not JSON data');
  });

  it('the synchronous JSON loader points a .ts file to loadSchemaSource', () => {
    expect(() => loadSchemaFile(write('sync.ts', notes()))).toThrow(/load it with loadSchemaSource/);
  });
});

// Under vitest, an import() in our source is vitest's (it compiles .ts itself), so Node's own import is reached
// through a CommonJS file loaded by Node's require: the error a library user on Node 20 gets, and its message.
describe.skipIf(isBun)('a TypeScript schema file under Node 20', () => {
  it('is refused with a message that names Bun, the binary and JSON schemas', async () => {
    const path = write('node.ts', notes());
    const nativeImport = createRequire(import.meta.url)(write('native-import.cjs', 'module.exports = (s) => import(s);\n')) as (s: string) => Promise<unknown>;
    const err = await nativeImport(pathToFileURL(path).href).then(() => undefined, (e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ERR_UNKNOWN_FILE_EXTENSION');
    const message = explainImportFailure(path, err);
    expect(message).toContain(`cannot load a TypeScript schema file under Node ${process.version}`);
    expect(message).toContain('Run Galley with Bun or the galley binary, or use a JSON schema file');
  });
});
