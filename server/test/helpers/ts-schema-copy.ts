// A TypeScript schema file as vitest can import it: vitest resolves '@galley/sdk' with Vite's conditions, which
// pick the package's dist/ (not built in a checkout), so the copy imports the sdk's source instead. The binary's
// own resolution (its embedded '@galley/sdk') is tested in cli/test/ts-schema.e2e.test.ts.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SDK_SOURCE = fileURLToPath(new URL('../../../sdk/src/index.ts', import.meta.url));

/** A copy of `file` in a new temp folder, its `from '@galley/sdk'` pointing at sdk/src/index.ts. */
export function copyTsSchemaForVitest(file: string): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'galley-ts-copy-')), basename(file));
  writeFileSync(copy, readFileSync(file, 'utf8').replaceAll("from '@galley/sdk'", `from ${JSON.stringify(SDK_SOURCE)}`));
  return copy;
}
