/**
 * Model hooks run inside the write's savepoint, holding the one writer: no network there. While one runs, the
 * global `fetch` throws (an AsyncLocalStorage flag, so other requests' fetches go on), and a hook that takes
 * over MODEL_HOOK_WARN_MS is logged. The guard wraps `globalThis.fetch` once per process, the first time a
 * registry with model hooks is used; it is process-wide by nature (there is one global fetch), holds no app state.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const MODEL_HOOK_WARN_MS = 10;

const inModelHook = new AsyncLocalStorage<string>();
let guarded = false;

function guardGlobalFetch(): void {
  if (guarded) return;
  guarded = true;
  const original = globalThis.fetch;
  const fetchOutsideModelHooks = ((...args: Parameters<typeof fetch>) => {
    const hook = inModelHook.getStore();
    if (hook !== undefined) {
      return Promise.reject(
        new Error(`fetch inside the model hook ${hook}: it runs in the write's transaction, holding the writer; call the network from an after-commit hook (onRecordAfterCreateSuccess …) or a request hook instead`),
      );
    }
    return original(...args);
  }) as typeof fetch;
  Object.assign(fetchOutsideModelHooks, original);
  globalThis.fetch = fetchOutsideModelHooks;
}

/** Run a model hook chain with fetch refused; `hook` names it in the error. */
export function runModelHook<T>(hook: string, fn: () => Promise<T>): Promise<T> {
  guardGlobalFetch();
  return inModelHook.run(hook, fn);
}

/** Let code called from a model hook leave the guard (after-commit work queued from inside one). */
export function runOutsideModelHook<T>(fn: () => T): T {
  return inModelHook.exit(fn);
}
