/**
 * The services one Galley started, in start order; `stopServices` stops them in reverse, each given a bounded
 * wait, so close() always returns and names what did not stop in time.
 */
import type { Logger } from './lib/log.ts';

export interface RunningService {
  readonly name: string;
  stop(): Promise<void> | void;
}

/** How long close() waits for one service before going on to the next. */
export const SERVICE_STOP_TIMEOUT_MS = 5_000;

export interface ServiceList {
  /** Note a started service; returns it. */
  add<S extends RunningService>(service: S): S;
  /** The names, in start order (tests, the lead's report). */
  names(): string[];
}

export function createServiceList(): ServiceList & { readonly started: RunningService[] } {
  const started: RunningService[] = [];
  return {
    started,
    add(service) {
      started.push(service);
      return service;
    },
    names: () => started.map((s) => s.name),
  };
}

/**
 * Stops each service, last started first. A stop that throws is logged and the next one still runs; one that
 * takes longer than `timeoutMs` is logged as not stopped in time and left behind.
 */
export async function stopServices(services: readonly RunningService[], log: Pick<Logger, 'warn' | 'error'>, timeoutMs = SERVICE_STOP_TIMEOUT_MS): Promise<void> {
  for (const service of [...services].reverse()) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    try {
      const outcome = await Promise.race([Promise.resolve().then(() => service.stop()), late]);
      if (outcome === 'late') log.warn(`close: ${service.name} did not stop within ${timeoutMs} ms; going on without it`);
    } catch (err) {
      log.error(`close: ${service.name} failed to stop`, { error: err instanceof Error ? err.message : String(err) });
    } finally {
      clearTimeout(timer);
    }
  }
}
