/**
 * The hooks service (started by createGalley after the rest of the core): finds the hooks file, loads it into a
 * registry and swaps that into `core.hooks`. Under `serve --dev` it watches the file's folder (its local
 * imports: .ts/.js files outside node_modules) and, once a burst of saves settles, builds a new registry and
 * swaps it in whole; code that fails to load keeps the old registry and logs the error with its location.
 */
import type { FSWatcher } from 'chokidar';
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { Core } from '../core.ts';
import { HooksFileError, loadHooksRegistry, type HooksSetup } from './load-hooks.ts';

/** The hooks file's environment twin of `--hooks FILE`. */
export const HOOKS_ENV = 'GALLEY_HOOKS';
export const DEFAULT_HOOKS_FILE = 'galley.hooks.ts';

/** Library mode's `hooks` option: the setup function itself, or a hooks file's path. */
export type HooksOption = HooksSetup | string;

/** Where the hooks come from: the option, GALLEY_HOOKS, or galley.hooks.ts beside the schema file if there is one. */
export function resolveHooksSource(option: HooksOption | undefined, env: Record<string, string | undefined>, schemaFile: string | undefined): HooksOption | undefined {
  if (typeof option === 'function') return option;
  const named = option ?? env[HOOKS_ENV];
  if (named) {
    const path = resolve(named);
    if (!existsSync(path)) throw new HooksFileError(path, 'no such file (from --hooks, GALLEY_HOOKS or the hooks option); fix the path or create the file');
    return path;
  }
  if (!schemaFile) return undefined;
  const beside = join(dirname(schemaFile), DEFAULT_HOOKS_FILE);
  return existsSync(beside) ? beside : undefined;
}

export interface HooksService {
  /** the hooks file's path (undefined: none, or a function given in library mode) */
  readonly file: string | undefined;
  /** Load the file again and swap the new registry in; false (old registry kept, error logged) if it failed. */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

const WATCHED = /\.(ts|mts|cts|js|mjs|cjs|json)$/i;

export async function startHooksService(core: Core, source: HooksOption | undefined, opts: { watch: boolean }): Promise<HooksService> {
  const file = typeof source === 'string' ? source : undefined;
  if (source !== undefined) {
    const registry = await loadHooksRegistry(core, source);
    core.hooks.useRegistry(registry, core.log);
    core.log.info(`hooks: loaded ${file ?? 'the hooks option'} (${registry.names().join(', ') || 'no hooks bound'})`);
  }
  let reloading = Promise.resolve(true);
  const reload = (): Promise<boolean> =>
    (reloading = reloading.then(async () => {
      if (!file) return false;
      try {
        const registry = await loadHooksRegistry(core, file);
        const previous = core.hooks.useRegistry(registry, core.log);
        await previous.dispose();
        core.log.info(`hooks: reloaded ${file} (${registry.names().join(', ') || 'no hooks bound'})`);
        return true;
      } catch (err) {
        core.log.error(`hooks: ${err instanceof Error ? err.message : String(err)}; the hooks loaded before stay in use`);
        return false;
      }
    }));
  let watcher: FSWatcher | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (file && opts.watch) {
    const folder = dirname(file);
    // imported here, by --dev only: a static import evaluated chokidar (and its fs/stream layers) on every start (issue 16)
    const { watch } = await import('chokidar');
    watcher = watch(folder, {
      ignoreInitial: true,
      depth: 4,
      // not node_modules, dot folders, or the data directory when it sits inside the folder (storage, backups)
      ignored: (path: string) =>
        path !== folder && (path === core.config.dir || path.startsWith(core.config.dir + sep) || /(^|[\\/])(node_modules|\.[^\\/]*)([\\/]|$)/.test(path.slice(folder.length))),
    });
    watcher.on('all', (_event: string, path: string) => {
      if (!WATCHED.test(path)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 120);
    });
    await new Promise<void>((ready, fail) => {
      watcher!.once('ready', () => ready());
      watcher!.once('error', (err: unknown) => fail(err));
    });
  }
  return {
    file,
    reload,
    async close() {
      clearTimeout(timer);
      await watcher?.close();
      await reloading;
      await core.hooks.registry.dispose();
    },
  };
}
