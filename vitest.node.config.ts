// The Node project: the core suite only, proving library mode on Node 20 (better-sqlite3). Run: vitest run --config vitest.node.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.bun.test.ts', 'cli/test/**/*.e2e.test.ts'],
    // a filter that matches nothing fails; scripts/test.ts skips a stage the filters match nothing in
    passWithNoTests: false,
    testTimeout: 20_000,
  },
});
