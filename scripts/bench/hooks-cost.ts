// The hooks row of `npm run bench` (issue 14): creates on Galley with a hooks file binding a no-op handler on each
// point a create passes (request, validate, model, after commit) against a copy of the same data dir without one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from './scenarios.ts';

export const HOOKS_ROW: Scenario = { name: 'create', label: 'create, a no-op hook on each point ÷ none', target: 0.95, bareNote: 'Galley without a hooks file' };

const NOOP_HOOKS = `// written by scripts/bench/hooks-cost.ts: one handler per point a create passes, each only going on
export default (app) => {
  app.onRecordCreateRequest((e) => e.next());
  app.onRecordValidate((e) => e.next());
  app.onRecordCreate((e) => e.next());
  app.onRecordAfterCreateSuccess((e) => e.next());
};
`;

/** Writes the no-op hooks file into `dir`; answers its path (for `serve --hooks`). */
export function writeNoopHooksFile(dir: string): string {
  const file = join(dir, 'noop.hooks.ts');
  writeFileSync(file, NOOP_HOOKS);
  return file;
}
