// A TypeScript schema file as a binary user has it: a temp folder with no node_modules, `import { defineSchema }
// from '@galley/sdk'` (the binary provides it) and a relative import. `serve --dev --types` serves it, re-applies
// a save and rewrites the types module; `galley types` writes the same module; the collections API refuses to
// rewrite a .ts file; a broken module stops serve and types with the file's path and the fix.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBinary, startBinary, type RunningBinary } from './helpers/binary.ts';

const schemaText = (extraField = '') => `import { defineSchema } from '@galley/sdk';
import { openRules } from './rules.ts';

export default defineSchema({
  collections: [
    {
      name: 'notes',
      ...openRules,
      fields: [{ name: 'text', type: 'text', required: true }${extraField}],
    },
  ],
});
`;

let work: string;
let schemaFile: string;
let typesFile: string;
let server: RunningBinary;

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await Promise.resolve(check()).catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${server?.output().stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'galley-ts-schema-'));
  expect(existsSync(join(work, 'node_modules'))).toBe(false);
  schemaFile = join(work, 'galley.schema.ts');
  typesFile = join(work, 'galley-types.ts');
  writeFileSync(join(work, 'rules.ts'), "export const openRules = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: null } as const;\n");
  writeFileSync(schemaFile, schemaText());
  const dir = join(work, 'data');
  const up = await runBinary(['superuser', 'upsert', 'root@example.com', 'rootpass123', '--dir', dir]);
  expect(up.code, up.stderr).toBe(0);
  server = await startBinary({ schema: schemaFile, dir, args: ['--dev', '--types', typesFile] });
}, 60_000);

afterAll(async () => {
  const exit = await server?.stop();
  rmSync(work, { recursive: true, force: true });
  expect(exit?.code).toBe(0);
});

describe('galley serve --schema galley.schema.ts (compiled binary, no node_modules)', () => {
  it('serves the collections of the TypeScript schema', async () => {
    const pb = new PocketBase(server.url);
    expect(await pb.collection('notes').create({ text: 'from ts' })).toMatchObject({ text: 'from ts', collectionName: 'notes' });
    expect((await pb.collection('notes').getList(1, 10)).items.map((r) => r.text)).toEqual(['from ts']);
  });

  it('--types wrote the types module, the same text `galley types` writes', async () => {
    const written = readFileSync(typesFile, 'utf8');
    expect(written).toContain('export const schema = {');
    expect(written).toContain('name: "notes"');
    const out = join(work, 'again.ts');
    const r = await runBinary(['types', '--schema', schemaFile, '--out', typesFile.replace('galley-types.ts', 'again.ts')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('types: wrote');
    const again = readFileSync(out, 'utf8');
    // the header names its own output file; the rest is the same
    expect(again.split('\n').slice(1)).toEqual(written.split('\n').slice(1));
    const stdout = await runBinary(['types', '--schema', schemaFile]);
    expect(stdout.code).toBe(0);
    expect(stdout.stdout.split('\n').slice(1)).toEqual(written.split('\n').slice(1));
  });

  it('a saved change to the .ts file is applied live and the types file is rewritten', async () => {
    writeFileSync(schemaFile, schemaText(", { name: 'stars', type: 'number' }"));
    const pb = new PocketBase(server.url);
    const note = await until('the new field', async () => {
      const first = (await pb.collection('notes').getList(1, 1)).items[0];
      return first && 'stars' in first ? first : undefined;
    });
    expect(note).toMatchObject({ text: 'from ts', stars: 0 });
    await until('the rewritten types file', () => (readFileSync(typesFile, 'utf8').includes('name: "stars"') ? true : undefined));
    expect(server.output().stderr).toContain('schema reloaded from');
  });

  it('the collections API refuses to write a TypeScript schema file, and says to edit it', async () => {
    const pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
    const before = readFileSync(schemaFile, 'utf8');
    const err = await pb.collections.create({ name: 'extra', type: 'base', fields: [{ name: 'x', type: 'text' }] }).then(
      () => undefined,
      (e: { status: number; response: { message: string } }) => e,
    );
    expect(err?.status).toBe(403);
    expect(err?.response.message).toContain(`the schema file ${schemaFile} is TypeScript`);
    expect(err?.response.message).toContain('Edit the file instead');
    expect(readFileSync(schemaFile, 'utf8')).toBe(before);
  });
});

describe('galley migrate with a TypeScript schema file (compiled binary)', () => {
  it('apply creates the tables of the .ts schema, then status says the database matches it', async () => {
    const dir = join(work, 'migrated');
    const apply = await runBinary(['migrate', 'apply', '--schema', schemaFile, '--dir', dir]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('create table "notes"');
    const status = await runBinary(['migrate', 'status', '--schema', schemaFile, '--dir', dir]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`matches ${schemaFile}`);
  });
});

describe('a broken TypeScript schema file (compiled binary)', () => {
  it('serve and types print the path and the fix and exit non-zero', async () => {
    const broken = join(work, 'broken.schema.ts');
    writeFileSync(broken, "import { defineSchema } from '@galley/sdk';\nthrow new Error('schema exploded');\nexport default defineSchema({ collections: [] });\n");
    const serve = await runBinary(['serve', '--schema', broken, '--dir', join(work, 'broken-data'), '--http', '127.0.0.1:0']);
    expect(serve.code).not.toBe(0);
    expect(serve.stderr).toContain(broken);
    expect(serve.stderr).toContain('schema exploded');
    expect(serve.stderr).toContain('export default defineSchema({ collections: [ … ] })');
    const empty = join(work, 'empty.schema.ts');
    writeFileSync(empty, 'export const nothing = 1;\n');
    const types = await runBinary(['types', '--schema', empty]);
    expect(types.code).toBe(1);
    expect(types.stdout).toBe('');
    expect(types.stderr).toContain(`${empty}: 1 problem`);
    expect(types.stderr).toContain('the module exports no schema');
  });
});
