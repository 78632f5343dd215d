// The Bun project: the core suite (*.test.ts) plus Bun-only tests (*.bun.test.ts). Run: bun --bun vitest run --config vitest.bun.config.ts
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { galleySourceAliases } from './vitest.aliases.ts';
import { SlowFirstSequencer } from './vitest.sequencer.ts';

export default defineConfig({
  resolve: { alias: galleySourceAliases },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'cli/test/**/*.e2e.test.ts'],
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
