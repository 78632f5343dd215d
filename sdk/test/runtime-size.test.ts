// The SDK's own runtime on top of `pocketbase`: bundled and minified without pocketbase, gzipped, ≤ 1.5 KB.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';

const BUN = fileURLToPath(new URL('../../node_modules/.bin/bun', import.meta.url));
const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const LIMIT_BYTES = 1536;

it(`adds at most ${LIMIT_BYTES} bytes gzipped to pocketbase`, async () => {
  const bundle = await new Promise<string>((resolve, reject) => {
    const args = ['build', ENTRY, '--minify', '--format', 'esm', '--target', 'browser', '--external', 'pocketbase'];
    execFile(BUN, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)));
  });
  expect(bundle).toMatch(/from\s*"pocketbase"/); // pocketbase stays outside the bundle
  const gzipped = gzipSync(bundle, { level: 9 }).length;
  console.log(`@galley/sdk runtime: ${bundle.length} bytes minified, ${gzipped} bytes gzipped (limit ${LIMIT_BYTES})`);
  expect(gzipped).toBeLessThanOrEqual(LIMIT_BYTES);
}, 70_000);
