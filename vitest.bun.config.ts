// The Bun project: the core suite (*.test.ts) plus Bun-only tests (*.bun.test.ts). Run: bun --bun vitest run --config vitest.bun.config.ts
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
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'cli/test/**/*.e2e.test.ts'],
    // a filter that matches nothing fails; scripts/test.ts skips a stage the filters match nothing in
    passWithNoTests: false,
    testTimeout: 20_000,
    // a file's beforeAll starts a Galley and signs in (argon2): on 2 loaded cores that outgrows vitest's 10 s default
    hookTimeout: 30_000,
  },
});
