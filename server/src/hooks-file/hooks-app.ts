/**
 * The `app` a hooks file's default export receives: one object assembled from app parts (app-parts.ts), each a
 * family's methods over the registry being built. The type grows the same way: a family adds its methods to
 * `HooksApp` from its own file by declaration merging:
 *   declare module './hooks-app.ts' { interface HooksApp { cronAdd(id: string, expr: string, fn: () => unknown): void } }
 * The typed view users write against (records typed from their schema) is `HooksApp<S>` in @galley/sdk.
 */
import type { Core } from '../core.ts';
import type { HooksRegistry } from '../hooks/hooks-registry.ts';

/** What an app part is built from: the running core and the registry this load of the hooks file fills. */
export interface HooksAppContext {
  readonly core: Core;
  readonly registry: HooksRegistry;
}

/** A family's `app.*` methods (and values), built once per load of the hooks file. */
export type AppPart = (ctx: HooksAppContext) => object;

/** The server's view of `app` (records untyped); families merge their methods in. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface HooksApp {}

/** One object holding every part's methods; a name two parts define is a programming error. */
export function assembleHooksApp(parts: readonly AppPart[], ctx: HooksAppContext): HooksApp {
  const app: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [name, value] of Object.entries(part(ctx))) {
      if (name in app) throw new Error(`hooks app: two parts define app.${name}`);
      app[name] = value;
    }
  }
  return Object.freeze(app) as unknown as HooksApp;
}
