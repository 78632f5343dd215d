// Library mode as a user gets it: `npm pack` in server/, the tarball installed with `npm install` into an empty
// project, and a plain .mjs run by Node (not Bun, not vitest) that serves a schema with createGalley() + listen().
// Slow on purpose (npm install; better-sqlite3 compiles when no prebuilt binary downloads), so it lives in the e2e stage.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVER_DIR = fileURLToPath(new URL('../../server', import.meta.url));
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const INSTALL_TIMEOUT_MS = 15 * 60_000;

/** Runs a command to completion; rejects with its output when it fails. */
function run(command: string, args: string[], cwd: string, timeout = INSTALL_TIMEOUT_MS): Promise<{ stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      else resolve({ stdout, stderr, ms: performance.now() - started });
    });
  });
}

// A 4×4 RGB PNG: the thumbnail of it proves the worker thread's module resolves inside the built package.
const PNG_4X4 =
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAKUlEQVR4nA3HMQEAAAzCMIRVGGdFIXDLlyQSGxcTBIvjU6mt62cyOzcPp2MTQTYdST8AAAAASUVORK5CYII=';

/** What a user writes: import the package, serve a schema, talk to it over HTTP, close. Prints one JSON line. */
const APP = `
import { createGalley } from '@galley/server';

const galley = await createGalley({
  dir: './galley_data',
  logLevel: 'debug',
  schema: { collections: [{
    name: 'notes', type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: null, deleteRule: null,
    fields: [{ name: 'text', type: 'text', required: true }, { name: 'image', type: 'file', maxSelect: 1, thumbs: ['2x2'] }],
  }] },
});
const { url } = await galley.listen('127.0.0.1:0');
const health = await fetch(url + '/api/health').then((r) => r.json());
const form = new FormData();
form.append('text', 'hello from node');
form.append('image', new Blob([Buffer.from('${PNG_4X4}', 'base64')], { type: 'image/png' }), 'dot.png');
const created = await fetch(url + '/api/collections/notes/records', { method: 'POST', body: form }).then((r) => r.json());
const list = await fetch(url + '/api/collections/notes/records').then((r) => r.json());
const thumb = new Uint8Array(await fetch(url + '/api/files/notes/' + created.id + '/' + created.image + '?thumb=2x2').then((r) => r.arrayBuffer()));
const view = new DataView(thumb.buffer);
await galley.close();
console.log(JSON.stringify({ runtime: process.versions.bun ? 'bun' : 'node', node: process.version, health, created, list,
  thumb: { width: view.getUint32(16), height: view.getUint32(20) } }));
`;

describe('@galley/server packed with npm pack, installed into an empty Node project', () => {
  let work: string;
  let app: string;
  let tarball: string;
  const timings: Record<string, string> = {};

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'galley-pack-'));
    // prepack builds dist/ first, so the tarball holds what the source says now
    const packed = await run('npm', ['pack', '--json', '--pack-destination', work], SERVER_DIR);
    timings['npm pack (with build)'] = `${(packed.ms / 1000).toFixed(1)} s`;
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as [{ filename: string }];
    tarball = join(work, info.filename);
    app = join(work, 'app');
    await run('mkdir', [app], work);
    writeFileSync(join(app, 'package.json'), '{}\n');
    // the npm cache of this machine, when it has the packages: the registry is asked only for what is missing
    const installed = await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], app);
    timings['npm install'] = `${(installed.ms / 1000).toFixed(1)} s`;
  }, 2 * INSTALL_TIMEOUT_MS);

  afterAll(() => {
    console.log('library-pack timings:', timings);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs built JS with declarations and the worker, leaves tests out, and installs the native drivers', async () => {
    const files = (await run('tar', ['-tzf', tarball], work)).stdout.split('\n');
    expect(files).toEqual(
      expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/files/thumb-worker.js', 'package/src/index.ts']),
    );
    expect(files.filter((f) => /\.(test|case)\.ts$/.test(f))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/@galley/server/package.json'), 'utf8'));
    expect(pkg.exports['.'].default).toBe('./dist/index.js');
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['better-sqlite3', 'argon2']));
    // the install ran better-sqlite3's install script (a prebuilt download or a compile), or nothing could open a database
    const probe = await run('node', ['-e', "new (require('better-sqlite3'))(':memory:').close(); require('argon2'); console.log('ok')"], app, 60_000);
    expect(probe.stdout.trim()).toBe('ok');
  }, 120_000);

  it('gives a TypeScript user the declarations (not `any`)', async () => {
    writeFileSync(
      join(app, 'typed.mts'),
      [
        "import { createGalley, type Galley } from '@galley/server';",
        "export const start: () => Promise<Galley> = () => createGalley({ dir: './galley_data', schemaFile: './schema.json' });",
        '// @ts-expect-error listen takes "host:port", not a number',
        'export const wrong = (galley: Galley) => galley.listen(8090);',
        '// @ts-expect-error dir is a path (ConfigInput, declared in another file of the package)',
        'export const wrongDir = () => createGalley({ dir: 42 });',
      ].join('\n'),
    );
    // skipLibCheck as `tsc --init` sets it: the dependencies' own .d.ts files are not ours to check
    const compilerOptions = { noEmit: true, strict: true, skipLibCheck: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], types: [] };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['typed.mts'] }));
    const checked = await run('node', [TSC, '-p', '.'], app, 180_000).catch((err: Error) => ({ stdout: err.message, stderr: '', ms: 0 }));
    expect(checked.stdout).toBe('');
  }, 200_000);

  it('serves under Node: health, a record written and listed, a thumbnail rendered in the worker thread', async () => {
    writeFileSync(join(app, 'serve.mjs'), APP);
    const proc = spawn('node', ['serve.mjs'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const killer = setTimeout(() => proc.kill('SIGKILL'), 150_000);
    const code = await new Promise<number | null>((resolve) => proc.once('close', resolve));
    clearTimeout(killer);
    expect({ code, stderr: code === 0 ? '' : stderr + stdout }).toEqual({ code: 0, stderr: '' });
    const line = stdout.split('\n').find((l) => l.startsWith('{"runtime"'));
    expect(line, stdout + stderr).toBeDefined();
    const out = JSON.parse(line!);
    console.log('library-pack: served by', out.runtime, out.node);
    expect(out.runtime).toBe('node');
    expect(Number(/^v(\d+)/.exec(out.node)![1])).toBeGreaterThanOrEqual(20);
    expect(out.health).toMatchObject({ code: 200, message: 'API is healthy.' });
    expect(out.created).toMatchObject({ collectionName: 'notes', text: 'hello from node', image: expect.stringMatching(/^dot_\w+\.png$/) });
    expect(out.list).toMatchObject({ page: 1, totalItems: 1, items: [{ id: out.created.id, text: 'hello from node' }] });
    expect(out.thumb).toEqual({ width: 2, height: 2 });
    // the log line names who rendered it: the main-thread fallback would mean the worker's module did not resolve
    expect(stdout + stderr).toMatch(/thumbnail made.*"renderer":"worker"/);
  }, 180_000);
});
