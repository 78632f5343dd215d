/**
 * Lets a schema change run while no request is between its start and its answer: `exclusive` holds new
 * requests at the gate, waits for those in flight to finish (bounded), runs the change, then opens again.
 * So a request runs wholly on the old schema or wholly on the new one, however often its service reads
 * `core.schema` and whatever its writes queued. Waiting on the client does not count: a streamed answer
 * (SSE) counts only until its headers leave, and a body being read (a slow upload) not at all — the request
 * leaves the gate while it streams in and passes it again before its service runs (runOutsideGate).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
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

/** The request this call chain serves, as its gate counts it. */
interface GateEntry {
  counted: boolean;
  leave(): void;
  /** waits for an open gate, then counts the request again */
  rejoin(): Promise<void>;
}

const current = new AsyncLocalStorage<GateEntry>();

/**
 * Runs `work` (reading the request's body) without counting the current request, so a slow client never
 * holds a schema change up; then waits for the gate to open and counts it again. Outside a gated request
 * (no schema service, a detached request) it just runs `work`.
 */
export async function runOutsideGate<T>(work: () => Promise<T>): Promise<T> {
  const entry = current.getStore();
  if (!entry?.counted) return work();
  entry.leave();
  try {
    return await work();
  } finally {
    await entry.rejoin();
  }
}

export function createRequestGate(log: Logger, maxWaitMs = 5000): RequestGate {
  let active = 0;
  let closed: Promise<void> | null = null;
  let onIdle: (() => void) | null = null;

  const leave = (): void => {
    active--;
    if (active <= 0 && onIdle) onIdle();
  };

  const createEntry = (): GateEntry => {
    const entry: GateEntry = {
      counted: true,
      leave() {
        if (!entry.counted) return;
        entry.counted = false;
        leave();
      },
      async rejoin() {
        if (entry.counted) return;
        while (closed) await closed;
        entry.counted = true;
        active++;
      },
    };
    return entry;
  };

  return {
    wrap(handler) {
      return async (request, peer) => {
        while (closed) await closed;
        active++;
        const entry = createEntry();
        try {
          return await current.run(entry, () => handler(request, peer));
        } finally {
          entry.leave();
        }
      };
    },
    detach() {
      const entry = current.getStore();
      if (entry) {
        entry.leave();
        // resumed at once (not at the gate): its caller runs only after the change it waited for
        return () => {
          if (entry.counted) return;
          entry.counted = true;
          active++;
        };
      }
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
