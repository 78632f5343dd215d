/**
 * One hook family's handlers, with PocketBase's semantics: they run in registration order, each gets the event
 * `e` and goes on with `await e.next()`; a handler that does not call it stops the chain (the default action at
 * the end — `final` — then does not run either). A handler bound to collection names runs only for events of
 * those collections (by name or id) and is otherwise skipped as if it had called next.
 */

/** What every hook event carries: `next()` runs the rest of the chain, then the default action. */
export interface HookEvent {
  next(): Promise<void>;
}

export type HookHandler<E> = (e: E) => unknown;

interface Bound<E> {
  handler: HookHandler<E>;
  /** collection names/ids the handler is limited to; undefined: every event */
  only: ReadonlySet<string> | undefined;
}

/** An event's collection, for the name filter (events without one run every handler). */
export type CollectionOf<E> = (e: E) => { name: string; id: string } | undefined;

export class HookChain<E extends object> {
  readonly #handlers: Bound<E>[] = [];
  readonly #collectionOf: CollectionOf<E> | undefined;

  constructor(collectionOf?: CollectionOf<E>) {
    this.#collectionOf = collectionOf;
  }

  /** Add a handler after those already bound; `collections` (names or ids) limits it to those collections. */
  bind(handler: HookHandler<E>, ...collections: string[]): void {
    if (typeof handler !== 'function') throw new TypeError(`a hook handler must be a function, got ${handler === null ? 'null' : typeof handler}`);
    this.#handlers.push({ handler, only: collections.length > 0 ? new Set(collections) : undefined });
  }

  get size(): number {
    return this.#handlers.length;
  }

  /**
   * Run the handlers on `e` (its `next` is set here), then `final` if every handler went on. Resolves once the
   * chain is done; a handler's throw rejects it (the caller decides what a throw means for its family). No async
   * wrappers of its own: a chain of handlers that each only go on costs their own promises and nothing more (a
   * model hook runs inside the writer's job, where every extra await lets other requests' work in first).
   */
  trigger(e: Omit<E, 'next'> & Partial<HookEvent>, final: (e: E) => unknown = () => {}): Promise<void> {
    const event = e as E & HookEvent;
    const collection = this.#collectionOf?.(event);
    const handlers = this.#handlers;
    const step = (index: number): Promise<void> => {
      try {
        while (index < handlers.length) {
          const bound = handlers[index++]!;
          if (bound.only && collection && !bound.only.has(collection.name) && !bound.only.has(collection.id)) continue;
          let called = false;
          const from = index;
          event.next = () => {
            if (called) return RESOLVED;
            called = true;
            return step(from);
          };
          return settle(bound.handler(event));
        }
        event.next = () => RESOLVED;
        return settle(final(event));
      } catch (err) {
        return Promise.reject(err);
      }
    };
    return step(0);
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

/** A handler's result as the promise the chain waits on (a sync handler's value settles at once). */
function settle(out: unknown): Promise<void> {
  return out instanceof Promise ? (out as Promise<void>) : RESOLVED;
}
