// End-to-end: the compiled dist/galley on free ports. Bun only: bun --bun vitest run --config vitest.e2e.config.ts
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run our packages' sources, never a stale or missing server/dist or sdk/dist (npm ci builds neither).
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@galley\/server$/, replacement: source('./server/src/index.ts') },
      { find: /^@galley\/sdk$/, replacement: source('./sdk/src/index.ts') },
    ],
  },
  test: {
    include: ['cli/test/**/*.e2e.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // rebuilds dist/galley first when any source is newer than it
    globalSetup: ['cli/test/helpers/global-setup.ts'],
    // a filter that matches nothing fails; scripts/test.ts skips a stage the filters match nothing in
    passWithNoTests: false,
    // each file spawns servers; CI has 2 cores
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
