// The load generator: its own process (so it never shares an event loop with the server it measures), C workers
// each sending keep-alive fetches back to back, first for a warm-up that is thrown away, then for a fixed
// duration (or count). Prints one JSON line: LoadResult.
// `--base` may list several URLs, comma-separated (instances of one app): connection i goes to URL i mod n.
// `bun scripts/bench/load.ts --base URL[,URL…] --target bare|galley --scenario NAME [--ids FILE] [--concurrency 32]
//   [--duration 10] [--warmup 2] [--count N]`
import { readFileSync } from 'node:fs';
import { createRequestFactory, type ScenarioName, type Target } from './scenarios.ts';

export interface LoadOptions {
  base: string;
  target: Target;
  scenario: ScenarioName;
  ids: readonly string[];
  concurrency: number;
  durationSec: number;
  warmupSec: number;
  /** Stop after this many measured requests instead of after durationSec. */
  count?: number;
}

export interface LoadResult {
  requests: number;
  /** Requests sent in all, warm-up included (for the server's CPU time per request). */
  allRequests: number;
  errors: number;
  /** Up to 5 distinct failures (status + start of the body, or the network error). */
  errorSamples: string[];
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** True when the run stopped early because the server stopped answering (connection errors). */
  aborted: boolean;
  /** CPU the load generator itself used ÷ wall time; near 1.0 means the client, not the server, was the limit. */
  clientCpu: number;
}

/** Past this many refused/reset connections the server is gone; measuring on would only time the refusals. */
const MAX_NETWORK_ERRORS = 100;

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const next = createRequestFactory(opts.scenario, opts.target, opts.ids);
  const bases = opts.base.split(',').map((b) => b.trim().replace(/\/+$/, ''));
  let latencies = new Float64Array(1 << 16);
  let measured = 0;
  let issued = 0;
  let sent = 0;
  let errors = 0;
  let networkErrors = 0;
  const samples = new Set<string>();
  const fail = (what: string): void => {
    errors++;
    if (samples.size < 5) samples.add(what);
  };

  const warmEnd = performance.now() + opts.warmupSec * 1000;
  let start = warmEnd;
  let end = warmEnd + opts.durationSec * 1000;
  let cpuAtStart = process.cpuUsage();
  let measuring = false;

  const worker = async (connection: number): Promise<void> => {
    const base = bases[connection % bases.length]!;
    for (;;) {
      const t0 = performance.now();
      if (!measuring && t0 >= warmEnd) {
        // first worker past the warm-up opens the measured window for everyone
        measuring = true;
        start = t0;
        end = t0 + opts.durationSec * 1000;
        cpuAtStart = process.cpuUsage();
      }
      if (networkErrors > MAX_NETWORK_ERRORS) return;
      if (measuring && (opts.count !== undefined ? issued >= opts.count : t0 >= end)) return;
      const inWindow = measuring;
      if (inWindow) issued++;
      const req = next();
      sent++;
      try {
        const res = await fetch(base + req.path, {
          method: req.method,
          body: req.body,
          headers: req.body === undefined ? undefined : { 'content-type': 'application/json' },
        });
        const text = await res.text();
        if (res.status < 200 || res.status > 299) fail(`${req.method} ${req.path.slice(0, 80)} → ${res.status} ${text.slice(0, 160)}`);
      } catch (err) {
        networkErrors++;
        fail(`${req.method} ${req.path.slice(0, 80)} → ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!inWindow) continue;
      if (measured === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[measured++] = performance.now() - t0;
    }
  };

  await Promise.all(Array.from({ length: opts.concurrency }, (_, i) => worker(i)));
  const stop = performance.now();
  const cpu = process.cpuUsage(cpuAtStart);
  const seconds = (stop - start) / 1000;
  const sorted = latencies.subarray(0, measured).sort();
  return {
    requests: measured,
    allRequests: sent,
    errors,
    errorSamples: [...samples],
    seconds,
    rps: measured / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    aborted: networkErrors > MAX_NETWORK_ERRORS,
    clientCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback?: string): string => {
    const i = args.indexOf(`--${name}`);
    const value = i >= 0 ? args[i + 1] : fallback;
    if (value === undefined) {
      console.error(`load: --${name} is required`);
      process.exit(2);
    }
    return value;
  };
  const idsFile = args.includes('--ids') ? arg('ids') : undefined;
  const result = await runLoad({
    base: arg('base'),
    target: arg('target') as Target,
    scenario: arg('scenario') as ScenarioName,
    ids: idsFile ? readFileSync(idsFile, 'utf8').split('\n').filter(Boolean) : [],
    concurrency: Number(arg('concurrency', '32')),
    durationSec: Number(arg('duration', '10')),
    warmupSec: Number(arg('warmup', '2')),
    count: args.includes('--count') ? Number(arg('count')) : undefined,
  });
  console.log(JSON.stringify(result));
}
