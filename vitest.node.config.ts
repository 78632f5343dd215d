// The Node project: the core suite only, proving library mode on Node 20 (better-sqlite3). Run: vitest run --config vitest.node.config.ts
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
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.bun.test.ts', 'cli/test/**/*.e2e.test.ts'],
    // a filter that matches nothing fails; scripts/test.ts skips a stage the filters match nothing in
    passWithNoTests: false,
    testTimeout: 20_000,
    // a file's beforeAll starts a Galley and signs in (argon2): on 2 loaded cores that outgrows vitest's 10 s default
    hookTimeout: 30_000,
  },
});
