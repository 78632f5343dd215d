// The type tests in sdk/test-types/ compile with tsc: right uses type-check, and every wrong use is pinned with
// the ts-expect-error directive there, so a type that widened to `any` fails this with "Unused ... directive".
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const PROJECT = fileURLToPath(new URL('../test-types/tsconfig.json', import.meta.url));

it('sdk/test-types compiles: correct code passes, each wrong use is an error', async () => {
  const out = await new Promise<string>((resolve) => {
    execFile('node', [TSC, '-p', PROJECT], { timeout: 120_000 }, (_err, stdout, stderr) => resolve(stdout + stderr));
  });
  expect(out).toBe('');
}, 130_000);
