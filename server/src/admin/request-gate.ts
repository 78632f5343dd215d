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
  /**
   * Counts a request in: its pass, or, while a change holds the gate, a promise of it once the gate opens. The
   * caller runs the request through `serveWithPass` and calls `leave()` when it is answered (the server's one
   * wrapper, index.ts, does so without an async frame per gate).
   */
  enter(): GatePass | Promise<GatePass>;
  /** For a request that itself waits for `exclusive` (a collections write): stop counting it until `resume()`. */
  detach(): () => void;
  /** Run `change` with no request in flight (waits at most `maxWaitMs` for them, then runs anyway and logs). */
  exclusive<T>(change: () => Promise<T>): Promise<T>;
  /** Requests now between start and answer. */
  inFlight(): number;
}

/** A request the gate counts; `leave()` once it is answered (again is harmless). */
export interface GatePass {
  leave(): void;
}

/** What an entry needs of its gate: the count and the promise that holds new requests while a change runs. */
interface GateState {
  active: number;
  closed: Promise<void> | null;
  onIdle: (() => void) | null;
}

/** The request this call chain serves, as its gate counts it (a class: no closures allocated per request). */
class GateEntry implements GatePass {
  counted = true;
  constructor(private readonly state: GateState) {}

  leave(): void {
    if (!this.counted) return;
    this.counted = false;
    leaveGate(this.state);
  }

  /** waits for an open gate, then counts the request again */
  async rejoin(): Promise<void> {
    if (this.counted) return;
    while (this.state.closed) await this.state.closed;
    this.counted = true;
    this.state.active++;
  }
}

function leaveGate(state: GateState): void {
  state.active--;
  if (state.active <= 0 && state.onIdle) state.onIdle();
}

const current = new AsyncLocalStorage<GateEntry>();

/** Runs `handler` as the request `pass` counts, so runOutsideGate and detach find it (a pass from `enter`). */
export function serveWithPass<P>(pass: GatePass, handler: FetchHandler<P>, request: Request, peer?: P): Promise<Response> {
  // run's extra arguments go to handler: no closure per request
  return current.run(pass as GateEntry, handler, request, peer);
}

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
  const state: GateState = { active: 0, closed: null, onIdle: null };

  const enterWhenOpen = async (): Promise<GatePass> => {
    while (state.closed) await state.closed;
    state.active++;
    return new GateEntry(state);
  };

  const enter = (): GatePass | Promise<GatePass> => {
    if (state.closed) return enterWhenOpen();
    state.active++;
    return new GateEntry(state);
  };

  return {
    enter,
    wrap(handler) {
      return async (request, peer) => {
        const opened = enter();
        const pass = opened instanceof GateEntry ? opened : await opened;
        try {
          return await serveWithPass(pass, handler, request, peer);
        } finally {
          pass.leave();
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
          state.active++;
        };
      }
      leaveGate(state);
      let resumed = false;
      return () => {
        if (resumed) return;
        resumed = true;
        state.active++;
      };
    },
    async exclusive(change) {
      while (state.closed) await state.closed;
      let open!: () => void;
      state.closed = new Promise((resolve) => (open = resolve));
      try {
        if (state.active > 0) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const idle = new Promise<boolean>((resolve) => (state.onIdle = () => resolve(true)));
          const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), maxWaitMs)));
          const drained = await Promise.race([idle, late]);
          clearTimeout(timer);
          state.onIdle = null;
          if (!drained) log.warn(`schema change: ${state.active} request(s) still running after ${maxWaitMs} ms; applying anyway`);
        }
        return await change();
      } finally {
        state.closed = null;
        open();
      }
    },
    inFlight: () => state.active,
  };
}
