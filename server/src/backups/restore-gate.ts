/**
 * The gate an in-process restore closes in front of the whole server: while closed, a new request is answered
 * at once by `refuse` (a 503 with Retry-After), and `close()` resolves once the requests already in flight
 * have their answers (bounded: a request still running after `maxWaitMs` is logged and left behind). A
 * streamed answer (SSE, a download) counts only until its headers leave; the restore ends those streams.
 */
import type { Logger } from '../lib/log.ts';

type Handler<P> = (request: Request, peer?: P) => Promise<Response>;

export interface RestoreGate {
  wrap<P>(handler: Handler<P>): Handler<P>;
  /** Counts a request in (false: the gate is closed, refuse it); `leave()` once it is answered. */
  enter(): boolean;
  leave(): void;
  close(): Promise<void>;
  open(): void;
  readonly closed: boolean;
}

export function createRestoreGate(refuse: () => Response, log: Pick<Logger, 'warn'>, maxWaitMs = 10_000): RestoreGate {
  let active = 0;
  let closed = false;
  let onIdle: (() => void) | undefined;
  const enter = (): boolean => {
    if (closed) return false;
    active++;
    return true;
  };
  const leave = (): void => {
    active--;
    if (active === 0) onIdle?.();
  };
  return {
    enter,
    leave,
    wrap(handler) {
      return async (request, peer) => {
        if (!enter()) return refuse();
        try {
          return await handler(request, peer);
        } finally {
          leave();
        }
      };
    },
    async close() {
      closed = true;
      if (active === 0) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const drained = await Promise.race([
        new Promise<boolean>((resolve) => (onIdle = () => resolve(true))),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), maxWaitMs))),
      ]);
      clearTimeout(timer);
      onIdle = undefined;
      if (!drained) log.warn(`restore: ${active} request(s) still running after ${maxWaitMs} ms; restoring anyway`);
    },
    open() {
      closed = false;
    },
    get closed() {
      return closed;
    },
  };
}
