/** `app.onBootstrap` and `app.onTerminate` (hooks/lifecycle-hook-points.ts); `app.onServe` is with the routes (app-router.ts). */
import type { HookHandler } from '../hooks/hook-chain.ts';
import type { BootstrapHookEvent, TerminateHookEvent } from '../hooks/lifecycle-hook-points.ts';
import type { AppPart } from './hooks-app.ts';

declare module './hooks-app.ts' {
  interface HooksApp {
    /** Once the data services are up and the hooks file is loaded, before requests are served; a throw fails the start. */
    onBootstrap(handler: HookHandler<BootstrapHookEvent>): void;
    /** At close (SIGINT/SIGTERM, `galley.close()`), before the services stop; waited for at most 5 s, errors logged. */
    onTerminate(handler: HookHandler<TerminateHookEvent>): void;
  }
}

export const lifecycleHooksPart: AppPart = ({ registry }) => ({
  onBootstrap: (handler: HookHandler<BootstrapHookEvent>) => registry.chain('onBootstrap').bind(handler),
  onTerminate: (handler: HookHandler<TerminateHookEvent>) => registry.chain('onTerminate').bind(handler),
});
