// Shared by the three vitest configs: tests run our packages' sources, never a stale or missing server/dist or
// sdk/dist (npm ci builds neither; vite's resolver does not pick the packages' bun/galley-source conditions).
import { fileURLToPath } from 'node:url';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const galleySourceAliases = [
  { find: /^@galley\/server$/, replacement: source('./server/src/index.ts') },
  { find: /^@galley\/sdk$/, replacement: source('./sdk/src/index.ts') },
];
