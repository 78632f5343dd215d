/**
 * Loading a hooks file: import it (a new module each time, with its local imports evaluated again, so
 * `serve --dev` reloads edits), check its default export is a function, and run it on a fresh `app` over a new
 * registry. Any failure is a HooksFileError naming the file, what went wrong, where, and the fix; the registry of
 * a failed load is disposed and never used.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Core } from '../core.ts';
import { createHooksRegistry, type HooksRegistry } from '../hooks/hooks-registry.ts';
import { importFresh } from '../lib/import-fresh.ts';
import { APP_PARTS } from './app-parts.ts';
import { assembleHooksApp, type HooksApp } from './hooks-app.ts';

/** A hooks file's default export (library mode may pass it directly). */
export type HooksSetup = (app: HooksApp) => void | Promise<void>;

const FIX = 'a hooks file default-exports one function: `export default (app: HooksApp<typeof schema>) => { app.onRecordCreate(…) }`';

export class HooksFileError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`hooks file ${path}: ${message}`);
    this.name = 'HooksFileError';
    this.path = path;
  }
}

/** The first stack frame inside the hooks file's folder (not node_modules): `file:line:column`. */
export function findHooksLocation(err: unknown, path: string): string | undefined {
  const text = err instanceof Error ? `${err.stack ?? ''}` : '';
  const folder = dirname(path);
  for (const m of text.matchAll(/(?:file:\/\/)?(\/[^\s():]+):(\d+)(?::(\d+))?/g)) {
    const file = m[1]!.replace(/\?.*$/, '');
    if (file.startsWith(folder + sep) && !file.includes(`${sep}node_modules${sep}`)) return `${file}:${m[2]}${m[3] ? `:${m[3]}` : ''}`;
  }
  // Bun's syntax errors carry the position as properties
  const pos = err as { line?: unknown; column?: unknown } | null;
  if (pos && typeof pos.line === 'number') return `${path}:${pos.line}${typeof pos.column === 'number' ? `:${pos.column}` : ''}`;
  return undefined;
}

function describe(err: unknown, path: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const at = findHooksLocation(err, path);
  return at && !message.includes(at) ? `${message} (at ${at})` : message;
}

/** Why the import failed, with the fix. */
export function explainHooksImportFailure(path: string, err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  // Node's own codes for a .ts it cannot import (Bun imports .ts and never raises them)
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' || code === 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING') {
    return (
      `cannot import a TypeScript hooks file under Node ${process.version}: this Node cannot import .ts files. ` +
      'Run Galley with Bun or the galley binary, compile the file to .js, or import it yourself and pass the function: createGalley({ hooks: setup })'
    );
  }
  return `importing it failed: ${describe(err, path)}. Fix the error in the file (or a file it imports)`;
}

/** Galley's own sources when run from a checkout (a hooks file in the checkout's root must not forget them). */
const OWN_SOURCES = ((): string[] => {
  if (!import.meta.url.startsWith('file:')) return []; // the compiled binary: its sources are not on disk
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return ['server', 'cli', 'sdk'].map((name) => join(root, name) + sep);
})();

/** Forget the cached local modules under the hooks file's folder (Bun keys ESM by path in require.cache too). */
function forgetLocalModules(path: string): void {
  const folder = dirname(path) + sep;
  const cache = createRequire(path).cache;
  for (const key of Object.keys(cache)) {
    if (!key.startsWith(folder) || key.includes(`${sep}node_modules${sep}`) || OWN_SOURCES.some((own) => key.startsWith(own))) continue;
    delete cache[key];
  }
}

async function importHooksFile(path: string): Promise<unknown> {
  forgetLocalModules(path);
  let mod: Record<string, unknown>;
  try {
    mod = await importFresh(path, 'galley-hooks');
  } catch (err) {
    throw new HooksFileError(path, explainHooksImportFailure(path, err));
  }
  if (!('default' in mod) || mod['default'] === undefined) throw new HooksFileError(path, `it has no default export; ${FIX}`);
  return mod['default'];
}

/** Build a registry from a hooks file (a path) or a setup function; throws HooksFileError. */
export async function loadHooksRegistry(core: Core, source: string | HooksSetup, name = typeof source === 'string' ? source : 'hooks option'): Promise<HooksRegistry> {
  const setup = typeof source === 'string' ? await importHooksFile(source) : source;
  if (typeof setup !== 'function') {
    throw new HooksFileError(name, `its default export is ${setup === null ? 'null' : `a ${typeof setup}`}, not a function; ${FIX}`);
  }
  const registry = createHooksRegistry();
  try {
    const app = assembleHooksApp(APP_PARTS, { core, registry });
    await (setup as HooksSetup)(app);
  } catch (err) {
    await registry.dispose().catch(() => {});
    throw new HooksFileError(name, `registering its hooks threw: ${describe(err, name)}`);
  }
  return registry;
}
