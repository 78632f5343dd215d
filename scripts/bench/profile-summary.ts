// Top functions of a .cpuprofile (as written by `bun --cpu-prof`, e.g. `bench/run.ts --cpu-prof`), counted by
// samples rather than by time deltas: the deltas charge idle gaps to whichever function was sampled last.
// `bun scripts/bench/profile-summary.ts FILE.cpuprofile [--top 25]`: self time, inclusive time of our functions,
// and the callers of the busiest native functions.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

export interface FunctionCost {
  name: string;
  self: number;
  total: number;
}

const root = resolve(import.meta.dir, '..', '..');
const IDLE = new Set(['(root)', '(idle)', '(program)', '(garbage collector)']);

function labelOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const path = url.replace(/^file:\/\//, '');
  const where = url ? `${path.startsWith('/') ? relative(root, path) : path}:${lineNumber + 1}` : '[native]';
  return `${functionName || '(anonymous)'} ${where}`;
}

/** Who calls the function named `name` when it is on top of the stack: caller label → samples. */
export function countCallers(profile: CpuProfile, name: string): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<string, number>();
  for (const id of profile.samples) {
    if (byId.get(id)?.callFrame.functionName !== name) continue;
    // the nearest frame with a source location says which of our calls it was
    let cur = parent.get(id);
    while (cur !== undefined && !byId.get(cur)!.callFrame.url) cur = parent.get(cur);
    const label = cur === undefined ? '(none)' : labelOf(byId.get(cur)!);
    out.set(label, (out.get(label) ?? 0) + 1);
  }
  return out;
}

/** Self and inclusive sample shares per function, busiest first; idle samples are left out of the total. */
export function summarizeProfile(profile: CpuProfile): { busySamples: number; functions: FunctionCost[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node || IDLE.has(node.callFrame.functionName)) continue;
    busy++;
    const label = labelOf(node);
    self.set(label, (self.get(label) ?? 0) + 1);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (IDLE.has(n.callFrame.functionName)) continue;
      const l = labelOf(n);
      if (!seen.has(l)) {
        seen.add(l);
        total.set(l, (total.get(l) ?? 0) + 1);
      }
    }
  }
  const functions = [...total.keys()].map((name) => ({ name, self: self.get(name) ?? 0, total: total.get(name)! }));
  return { busySamples: busy, functions };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  const top = Number(args.includes('--top') ? args[args.indexOf('--top') + 1] : 25);
  if (!file) {
    console.error('usage: bun scripts/bench/profile-summary.ts FILE.cpuprofile [--top N]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const { busySamples, functions } = summarizeProfile(profile);
  const pct = (n: number): string => `${((100 * n) / busySamples).toFixed(1)}%`.padStart(6);
  console.log(`${busySamples} busy samples\n\nby self time:`);
  for (const f of [...functions].sort((a, b) => b.self - a.self).slice(0, top)) console.log(`${pct(f.self)}  ${f.name}`);
  console.log('\nby inclusive time (our code only):');
  const ours = functions.filter((f) => f.name.includes(' server/src/') || f.name.includes(' cli/src/'));
  for (const f of ours.sort((a, b) => b.total - a.total).slice(0, top)) console.log(`${pct(f.total)}  ${f.name}`);
  // the three busiest native functions, by caller (a native frame alone does not say whose work it was)
  const natives = [...functions].filter((f) => f.name.endsWith('[native]')).sort((a, b) => b.self - a.self).slice(0, 3);
  for (const f of natives) {
    const fname = f.name.slice(0, f.name.lastIndexOf(' '));
    console.log(`\ncallers of ${fname}:`);
    const callers = [...countCallers(profile, fname)].sort((a, b) => b[1] - a[1]).slice(0, 6);
    for (const [label, n] of callers) console.log(`${pct(n)}  ${label}`);
  }
}
