/**
 * The app lifecycle families of a hooks registry (PocketBase's onBootstrap, onServe, onTerminate) and their
 * triggers, called by createGalley (index.ts): bootstrap once the data services are up and the hooks file is
 * loaded, serve once the listener is bound (a hook may add routes there: `e.router.add(…)`), terminate at the
 * start of close(), bounded so a hook that hangs cannot keep the process up. A throw from onBootstrap or onServe
 * fails the start; one from onTerminate is logged.
 */
import type { Logger } from '../lib/log.ts';
import type { HookEvent } from './hook-chain.ts';
import type { HooksRegistry } from './hooks-registry.ts';

export interface BootstrapHookEvent extends HookEvent {}

/** What onServe may do with the router: the same as the hooks file's `app.routerAdd` / `app.routerUse`. */
export interface ServeRouter {
  add(method: string, path: string, handler: (e: any) => unknown, ...middlewares: Array<(e: any) => unknown>): void;
  use(middleware: (e: any) => unknown): void;
}

export interface ServeHookEvent extends HookEvent {
  /** the server's address, as `galley serve` prints it */
  server: { url: string };
  router: ServeRouter;
}

export interface TerminateHookEvent extends HookEvent {
  /**
   * wire: PocketBase's isRestart: true when the app stops to start again. PocketBase restarts its process after
   * a restore; Galley restarts its data services in place (an in-process restore), with onBootstrap after them.
   */
  isRestart: boolean;
}

declare module './hooks-registry.ts' {
  interface HookEvents {
    onBootstrap: BootstrapHookEvent;
    onServe: ServeHookEvent;
    onTerminate: TerminateHookEvent;
  }
}

/** How long close() waits for the onTerminate hooks before it goes on stopping the services. */
export const TERMINATE_HOOKS_WAIT_MS = 5000;

export async function triggerBootstrap(registry: HooksRegistry): Promise<void> {
  await registry.find('onBootstrap')?.trigger({});
}

/** `e.router` is set by the binding (hooks-file/app-router.ts): routes added there join the hooks file's. */
export async function triggerServe(registry: HooksRegistry, url: string): Promise<void> {
  await registry.find('onServe')?.trigger({ server: { url } } as Omit<ServeHookEvent, 'next'>);
}

/**
 * The onTerminate hooks, waited for at most `waitMs`; a throw or a hook still running then is logged, never thrown.
 * `isRestart`: the services stop to start again (an in-process restore), not for good.
 */
export async function triggerTerminate(registry: HooksRegistry, log: Logger, waitMs = TERMINATE_HOOKS_WAIT_MS, isRestart = false): Promise<void> {
  const chain = registry.find('onTerminate');
  if (!chain) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), waitMs)));
  try {
    const outcome = await Promise.race([chain.trigger({ isRestart }).then(() => 'done' as const), late]);
    if (outcome === 'late') log.warn(`onTerminate hooks still running after ${waitMs} ms; not waited for`);
  } catch (err) {
    log.error('hook onTerminate failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  } finally {
    clearTimeout(timer);
  }
}
