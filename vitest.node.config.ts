// The Node project: the core suite only, proving library mode on Node 20 (better-sqlite3). Run: vitest run --config vitest.node.config.ts
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { galleySourceAliases } from './vitest.aliases.ts';
import { SlowFirstSequencer } from './vitest.sequencer.ts';

export default defineConfig({
  resolve: { alias: galleySourceAliases },
  // its own results cache: npm test runs this project beside the Bun one, and both would write the same file at once
  cacheDir: 'node_modules/.vite/node-project',
  test: {
    include: ['**/*.test.ts'],
    exclude: [
      '**/node_modules/**', '**/dist/**', '**/*.bun.test.ts', 'cli/test/**/*.e2e.test.ts',
      // The PostgreSQL suites run under Bun only: both runtimes reach PostgreSQL through the same pure-JS `pg`
      // driver, so running them twice proves nothing more and costs CI time. server/src/db/open-postgres.test.ts
      // stays here as Node's smoke test of that path (connect, CRUD through the write job, errors).
      'server/test/postgres/**', 'server/src/db/postgres-*.test.ts',
    ],
    // a filter that matches nothing fails; scripts/test.ts skips a stage the filters match nothing in
    passWithNoTests: false,
    sequence: { sequencer: SlowFirstSequencer },
    // a run dir for the PostgreSQL test cluster, started by the first file that needs it (server/test/helpers/postgres.ts)
    globalSetup: ['server/test/helpers/postgres-global-setup.ts'],
    // vitest's default is one worker fewer than the cores: 1 on CI's 2 cores, so every file waited for the one
    // before it, though most of a file's time is spent waiting (sockets, child processes, sleeps). Two at least.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 20_000,
    // a file's beforeAll starts a Galley and signs in (argon2): on 2 loaded cores that outgrows vitest's 10 s default
    hookTimeout: 30_000,
  },
});
