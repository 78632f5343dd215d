/**
 * `serve --dev`: watch the schema file with chokidar and call back once an editor's burst of writes has
 * settled. The folder is watched (only that one file passes the filter), so saves that replace the file
 * by rename — editors' atomic saves and Galley's own write-back — keep being seen. chokidar is imported here, by
 * the first watch, so a start without --dev never loads it.
 */
import { dirname, resolve } from 'node:path';

export interface SchemaWatcher {
  close(): Promise<void>;
}

/** Resolves once the watcher is ready; `onSettled` runs `debounceMs` after the last event of a burst. */
export async function watchSchemaFile(file: string, onSettled: () => void, debounceMs = 120): Promise<SchemaWatcher> {
  const target = resolve(file);
  const folder = dirname(target);
  const { watch } = await import('chokidar');
  const watcher = watch(folder, {
    ignoreInitial: true,
    depth: 0,
    ignored: (path: string) => path !== target && path !== folder,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  watcher.on('all', (_event: string, path: string) => {
    if (resolve(path) !== target) return;
    clearTimeout(timer);
    timer = setTimeout(onSettled, debounceMs);
  });
  await new Promise<void>((ready, fail) => {
    watcher.once('ready', () => ready());
    watcher.once('error', (err: unknown) => fail(err));
  });
  return {
    async close() {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
