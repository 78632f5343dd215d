// @galley/sdk as a user gets it: `npm pack` in sdk/ (prepack builds dist/ with tsc), the tarball installed with
// pocketbase into an empty project, a TypeScript program type-checked there by tsc (right uses pass, wrong ones are
// pinned errors), plain Node running the built ESM and Bun running the TypeScript sources (the package's `bun`
// condition). No native builds: the package's only dependency is its peer.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SDK_DIR = fileURLToPath(new URL('../../sdk', import.meta.url));
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const POCKETBASE_VERSION = JSON.parse(readFileSync(fileURLToPath(new URL('../../node_modules/pocketbase/package.json', import.meta.url)), 'utf8')).version;
const TIMEOUT_MS = 5 * 60_000;

function run(command: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

const SCHEMA = `import { defineSchema } from '@galley/sdk';
export default defineSchema({
  collections: [
    { name: 'users', type: 'auth', fields: [{ name: 'name', type: 'text' }] },
    {
      name: 'notes',
      fields: [
        { name: 'text', type: 'text', required: true },
        { name: 'state', type: 'select', values: ['open', 'done'], maxSelect: 1 },
        { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1 },
        { name: 'image', type: 'file', maxSelect: 1, thumbs: ['100x100'] },
      ],
    },
  ],
});
`;

const PROGRAM = `import { createClient, expand, filter, type RecordFor } from '@galley/sdk';
import PocketBase from 'pocketbase';
import schema from './schema.js';

const client = createClient<typeof schema>('http://127.0.0.1:8090');
export const stillPocketBase: PocketBase = createClient('http://127.0.0.1:8090');

export async function use(): Promise<string[]> {
  const note = await client.collection('notes').getOne('id', { expand: expand({ owner: true }) });
  const state: 'open' | 'done' | '' = note.state;
  const owner: string | undefined = note.expand?.owner?.name;
  const url = client.files.getURL(note, note.image, { thumb: '100x100' });
  await client.collection('notes').getList(1, 10, { filter: filter\`text ~ \${'x'}\`, where: { state: 'open' }, sort: '-created' });
  await client.collection('users').authWithPassword('a@b.c', 'password');
  // @ts-expect-error misspelled field
  note.txt;
  // @ts-expect-error wrong select value
  await client.collection('notes').create({ text: 'x', state: 'closed' });
  // @ts-expect-error missing required field
  await client.collection('notes').create({ state: 'open' });
  // @ts-expect-error not an auth collection
  await client.collection('notes').authWithPassword('a', 'b');
  // @ts-expect-error wrong thumb
  client.files.getURL(note, note.image, { thumb: '1x1' });
  // @ts-expect-error wrong where key
  await client.collection('notes').getList(1, 10, { where: { txt: 'x' } });
  const typed: RecordFor<typeof schema, 'notes'> = note;
  return [state, owner ?? '', url, typed.id];
}
`;

const RUNTIME = `import { createClient, where, filter, expand, defineSchema } from '@galley/sdk';
const client = createClient('http://127.0.0.1:8090');
console.log(JSON.stringify({
  where: where({ state: 'open', n: { gt: 2 }, $or: [{ a: 1 }, { b: 'x' }] }),
  filter: filter\`a = \${'q"x'} && d > \${new Date(Date.UTC(2026, 0, 2))}\`,
  tag: client.filter\`x = \${1}\`,
  expand: expand({ owner: true, c_via_n: { owner: true } }),
  schema: defineSchema({ collections: [] }),
  base: client.baseURL,
}));
`;

describe('@galley/sdk packed with npm pack, installed into an empty project', () => {
  let work: string;
  let app: string;
  let tarball: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'galley-sdk-pack-'));
    const packed = await run('npm', ['pack', '--json', '--pack-destination', work], SDK_DIR);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as [{ filename: string }];
    tarball = join(work, info.filename);
    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "type": "module" }\n');
    // the npm cache of this machine has pocketbase: the registry is asked only for what is missing
    await run('npm', ['install', tarball, `pocketbase@${POCKETBASE_VERSION}`, '--prefer-offline', '--no-audit', '--no-fund'], app);
  }, 2 * TIMEOUT_MS);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs the built ESM, declarations, the sources Bun runs and README, and no tests', async () => {
    const files = (await run('tar', ['-tzf', tarball], work)).stdout.split('\n').filter(Boolean);
    expect(files).toEqual(expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts', 'package/src/index.ts', 'package/README.md', 'package/package.json']));
    expect(files.filter((f) => f.includes('test'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/@galley/sdk/package.json'), 'utf8'));
    expect(pkg.exports['.']).toMatchObject({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(Object.keys(pkg.peerDependencies)).toEqual(['pocketbase']);
    expect(pkg.dependencies).toBeUndefined();
  });

  it('type-checks a program there: right uses pass, each pinned wrong use is an error', async () => {
    writeFileSync(join(app, 'schema.ts'), SCHEMA);
    writeFileSync(join(app, 'program.ts'), PROGRAM);
    const compilerOptions = { noEmit: true, strict: true, skipLibCheck: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], types: [] };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['program.ts'] }));
    const checked = await run('node', [TSC, '-p', '.'], app).catch((err: Error) => ({ stdout: err.message, stderr: '' }));
    expect(checked.stdout).toBe('');
  }, 120_000);

  it.each([
    ['Node, from the built ESM', 'node'],
    ['Bun, from the TypeScript sources (its bun condition)', process.versions.bun ? process.execPath : 'bun'],
  ])('runs under %s', async (_name, runtime) => {
    writeFileSync(join(app, 'runtime.mjs'), RUNTIME);
    const { stdout } = await run(runtime, ['runtime.mjs'], app);
    expect(JSON.parse(stdout)).toEqual({
      where: 'state = "open" && n > 2 && (a = 1 || b = "x")',
      filter: 'a = "q\\"x" && d > "2026-01-02 00:00:00.000Z"',
      tag: 'x = 1',
      expand: 'owner,c_via_n.owner',
      schema: { collections: [] },
      base: 'http://127.0.0.1:8090',
    });
  }, 60_000);
});
