// The Bun project: the core suite (*.test.ts) plus Bun-only tests (*.bun.test.ts). Run: bun --bun vitest run --config vitest.bun.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'cli/test/**/*.e2e.test.ts'],
    // a filter that matches nothing fails; scripts/test.ts skips a stage the filters match nothing in
    passWithNoTests: false,
    testTimeout: 20_000,
  },
});
