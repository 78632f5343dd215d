/**
 * Lets a schema change run while no request is between its start and its answer: `exclusive` holds new
 * requests at the gate, waits for those in flight to finish (bounded), runs the change, then opens again.
 * So a request runs wholly on the old schema or wholly on the new one, however often its service reads
 * `core.schema` and whatever its writes queued. A streamed body (SSE) counts only until its headers leave.
 */
import type { Logger } from '../lib/log.ts';

export type FetchHandler<P> = (request: Request, peer?: P) => Promise<Response>;

export interface RequestGate {
  /** The handler behind the gate. */
  wrap<P>(handler: FetchHandler<P>): FetchHandler<P>;
  /** For a request that itself waits for `exclusive` (a collections write): stop counting it until `resume()`. */
  detach(): () => void;
  /** Run `change` with no request in flight (waits at most `maxWaitMs` for them, then runs anyway and logs). */
  exclusive<T>(change: () => Promise<T>): Promise<T>;
  /** Requests now between start and answer. */
  inFlight(): number;
}

export function createRequestGate(log: Logger, maxWaitMs = 5000): RequestGate {
  let active = 0;
  let closed: Promise<void> | null = null;
  let onIdle: (() => void) | null = null;

  const leave = (): void => {
    active--;
    if (active <= 0 && onIdle) onIdle();
  };

  return {
    wrap(handler) {
      return async (request, peer) => {
        while (closed) await closed;
        active++;
        try {
          return await handler(request, peer);
        } finally {
          leave();
        }
      };
    },
    detach() {
      leave();
      let resumed = false;
      return () => {
        if (resumed) return;
        resumed = true;
        active++;
      };
    },
    async exclusive(change) {
      while (closed) await closed;
      let open!: () => void;
      closed = new Promise((resolve) => (open = resolve));
      try {
        if (active > 0) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const idle = new Promise<boolean>((resolve) => (onIdle = () => resolve(true)));
          const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), maxWaitMs)));
          const drained = await Promise.race([idle, late]);
          clearTimeout(timer);
          onIdle = null;
          if (!drained) log.warn(`schema change: ${active} request(s) still running after ${maxWaitMs} ms; applying anyway`);
        }
        return await change();
      } finally {
        closed = null;
        open();
      }
    },
    inFlight: () => active,
  };
}
