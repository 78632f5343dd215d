// Turns the rounds of each scenario into one line per scenario (medians; the ratio is the median of the
// per-round ratios, because on a noisy box only figures measured side by side compare) and prints the table.
import type { LoadResult } from './load.ts';
import type { Scenario } from './scenarios.ts';

export interface SideRound extends LoadResult {
  /** Server CPU time (user + system) per request sent, in µs. */
  serverCpuUs: number | null;
  /** CPU per request the server spent after the round, once idle (the request log's put-off writes), in µs. */
  deferredCpuUs?: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  bare: SideRound[];
  galley: SideRound[];
}

export interface ScenarioSummary {
  name: string;
  label: string;
  target: number | null;
  bareRps: number;
  galleyRps: number;
  /** median over rounds of galley rps ÷ bare rps of the same round */
  ratio: number;
  verdict: 'met' | 'missed' | 'info' | 'errors';
  bare: { p50Ms: number; p99Ms: number; cpuUs: number | null; errors: number; clientCpu: number };
  galley: { p50Ms: number; p99Ms: number; cpuUs: number | null; errors: number; clientCpu: number };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function summarizeSide(rounds: readonly SideRound[]): ScenarioSummary['bare'] {
  const cpu = rounds.map((r) => r.serverCpuUs).filter((v): v is number => v !== null);
  return {
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    cpuUs: cpu.length ? median(cpu) : null,
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    clientCpu: median(rounds.map((r) => r.clientCpu)),
  };
}

export function summarizeScenario(result: ScenarioResult): ScenarioSummary {
  const { scenario, bare, galley } = result;
  const ratio = median(bare.map((b, i) => galley[i]!.rps / b.rps));
  const b = summarizeSide(bare);
  const g = summarizeSide(galley);
  const verdict = b.errors + g.errors > 0 ? 'errors' : scenario.target === null ? 'info' : ratio >= scenario.target ? 'met' : 'missed';
  return {
    name: scenario.name,
    label: scenario.label,
    target: scenario.target,
    bareRps: median(bare.map((r) => r.rps)),
    galleyRps: median(galley.map((r) => r.rps)),
    ratio,
    verdict,
    bare: b,
    galley: g,
  };
}

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '-');
const pct = (n: number): string => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '-');
const pair = (a: string, b: string): string => `${a} / ${b}`;

export function formatTable(rows: readonly ScenarioSummary[]): string {
  const head = ['scenario', 'bare req/s', 'galley req/s', 'ratio', 'target', 'p50 ms b/g', 'p99 ms b/g', 'cpu µs/req b/g'];
  const body = rows.map((r) => [
    r.label,
    int(r.bareRps),
    int(r.galleyRps),
    pct(r.ratio),
    r.target === null ? '(info)' : `≥${pct(r.target)} ${r.verdict === 'errors' ? 'ERRORS' : r.verdict}`,
    pair(ms(r.bare.p50Ms), ms(r.galley.p50Ms)),
    pair(ms(r.bare.p99Ms), ms(r.galley.p99Ms)),
    pair(r.bare.cpuUs === null ? '-' : int(r.bare.cpuUs), r.galley.cpuUs === null ? '-' : int(r.galley.cpuUs)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Warnings a reader of the table needs: failed requests, and a load generator that was itself the bottleneck. */
export function listCaveats(results: readonly ScenarioResult[], summaries: readonly ScenarioSummary[]): string[] {
  const out: string[] = [];
  results.forEach((result, i) => {
    const s = summaries[i]!;
    for (const side of ['bare', 'galley'] as const) {
      const rounds = result[side];
      const errors = rounds.reduce((n, r) => n + r.errors, 0);
      if (errors > 0) {
        const samples = [...new Set(rounds.flatMap((r) => r.errorSamples))].slice(0, 5);
        out.push(`${s.label} — ${side}: ${errors} non-2xx/failed requests, e.g.\n    ${samples.join('\n    ')}`);
      }
      if (s[side].clientCpu > 0.9) {
        out.push(`${s.label} — ${side}: the load generator used ${pct(s[side].clientCpu)} of a core; the client may be the limit (compare cpu µs/req)`);
      }
    }
  });
  return out;
}
