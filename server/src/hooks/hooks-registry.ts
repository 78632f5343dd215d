/**
 * The hooks a hooks file registered: one HookChain per family name, owned by this registry object (built by one
 * load of the file; `serve --dev` builds a new one and swaps it in whole: `EventBus.useRegistry`). Nothing here
 * is module-level: two Galleys in one process share nothing.
 *
 * How a family plugs in (record hooks are the example: record-hook-registry.ts and hooks-file/app-record-hooks.ts):
 * 1. Its event type goes into `HookEvents` from a file of its own, by declaration merging:
 *      declare module './hooks-registry.ts' { interface HookEvents { onMailerSend: MailerSendEvent } }
 * 2. Its seam triggers the chain at run time, reading the current registry each time (a reload swaps it):
 *      const chain = core.hooks.registry.find('onMailerSend');
 *      if (chain) await chain.trigger(event, send); else await send(event);
 *    (`find` answers undefined while nothing is bound: the hot path stays one property read.)
 * 3. Its `app.*` methods are an app part (hooks-file/app-parts.ts): `app.onMailerSend(handler, ...names)` calls
 *    `registry.chain('onMailerSend').bind(handler, ...names)`.
 */
import { HookChain, type CollectionOf } from './hook-chain.ts';

/** Family name → its event type. Each family adds its names from its own file (declaration merging). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface HookEvents {}

export type HookName = keyof HookEvents & string;

/** A family's chain as registry.chain() hands it out; `any` for a name no family declared yet. */
export type ChainOf<K extends string> = K extends keyof HookEvents ? (HookEvents[K] extends object ? HookChain<HookEvents[K]> : never) : HookChain<any>;

export interface HooksRegistry {
  /** The chain of `name`, made on first use (registration). */
  chain<K extends string>(name: K, collectionOf?: CollectionOf<any>): ChainOf<K>;
  /** The chain of `name` if a handler is bound to it (trigger sites: undefined means run the default at once). */
  find<K extends string>(name: K): ChainOf<K> | undefined;
  /** Names with at least one handler (logs, tests). */
  names(): string[];
  /** Cleanups a family registered while the file loaded (cron jobs, routes …), run when this registry is replaced or closed. */
  onDispose(fn: () => void | Promise<void>): void;
  dispose(): Promise<void>;
}

export function createHooksRegistry(): HooksRegistry {
  const chains = new Map<string, HookChain<any>>();
  const disposers: Array<() => void | Promise<void>> = [];
  return {
    chain(name, collectionOf) {
      let chain = chains.get(name);
      if (!chain) chains.set(name, (chain = new HookChain<any>(collectionOf)));
      return chain as ChainOf<typeof name>;
    },
    find(name) {
      const chain = chains.get(name);
      return chain && chain.size > 0 ? (chain as ChainOf<typeof name>) : undefined;
    },
    names: () => [...chains].filter(([, c]) => c.size > 0).map(([n]) => n),
    onDispose(fn) {
      disposers.push(fn);
    },
    async dispose() {
      for (const fn of disposers.splice(0).reverse()) await fn();
    },
  };
}
