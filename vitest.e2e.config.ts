// End-to-end: the compiled dist/galley on free ports. Bun only: bun --bun vitest run --config vitest.e2e.config.ts
import { defineConfig } from 'vitest/config';
import { galleySourceAliases } from './vitest.aliases.ts';
import { SlowFirstSequencer } from './vitest.sequencer.ts';

export default defineConfig({
  resolve: { alias: galleySourceAliases },
  // its own results cache: npm test runs this project beside the Bun one, and both would write the same file at once
  cacheDir: 'node_modules/.vite/e2e-project',
  test: {
    include: ['cli/test/**/*.e2e.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // rebuilds dist/galley first when any source is newer than it; a run dir for the PostgreSQL test cluster, started
    // only by a file that asks (cli/test/postgres-instances.e2e.test.ts)
    globalSetup: ['cli/test/helpers/global-setup.ts', 'server/test/helpers/postgres-global-setup.ts'],
    // a filter that matches nothing fails; scripts/test.ts skips a stage the filters match nothing in
    passWithNoTests: false,
    sequence: { sequencer: SlowFirstSequencer },
    // each file spawns servers; CI has 2 cores
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
