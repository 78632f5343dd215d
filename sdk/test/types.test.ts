// The type tests in sdk/test-types/ compile with tsc: right uses type-check, and every wrong use is pinned with
// the ts-expect-error directive there, so a type that widened to `any` fails this with "Unused ... directive".
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// tsc checks the same types whatever runs the test: once, in the Node stage, is enough
const RUNS_UNDER_BUN = Boolean(process.versions.bun);
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const PROJECT = fileURLToPath(new URL('../test-types/tsconfig.json', import.meta.url));

it.skipIf(RUNS_UNDER_BUN)('sdk/test-types compiles: correct code passes, each wrong use is an error', async () => {
  const out = await new Promise<string>((resolve) => {
    execFile('node', [TSC, '-p', PROJECT], { timeout: 120_000 }, (_err, stdout, stderr) => resolve(stdout + stderr));
  });
  expect(out).toBe('');
}, 130_000);
