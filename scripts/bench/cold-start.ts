// `bun scripts/bench/cold-start.ts` — cold start and idle RSS of one or more Galley binaries, measured in the same
// run on the bench schema: spawn → first 200 on /api/health, on an empty data dir and on one with --rows rows.
// Binaries take turns start by start (A B A B …) so a noisy machine's drift hits them alike; prints min, median
// and max per binary and case, the idle RSS one second after the first 200, and the load average beside them.
// Options: --galley PATH (repeatable; default dist/galley), -n N starts per case and binary (10), --rows N (100000),
//   --trace (GALLEY_START_TRACE=1: each start's phase durations, medians per phase printed at the end).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readCpuSeconds, readRssKb, stopServer } from './processes.ts';
import { median } from './report.ts';
import { generateRows } from './seed.ts';
import { type GalleyLaunch, prepareGalleyDir, root, startGalley } from './servers.ts';

const { values: opt } = parseArgs({
  options: {
    galley: { type: 'string', multiple: true },
    n: { type: 'string', short: 'n' },
    rows: { type: 'string' },
    trace: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const binaries = opt.galley?.length ? opt.galley : [join(root, 'dist', 'galley')];
const times = Number(opt.n ?? 10);
const rows = Number(opt.rows ?? 100_000);

interface Sample {
  readyMs: number;
  idleRssKb: number | null;
  phases: Map<string, [number, number]>;
  /** the process's user + system CPU seconds when it first answered (/proc, 10 ms ticks) */
  cpuSec: number | null;
}

/** `start: <phase> <ms>ms` lines GALLEY_START_TRACE=1 writes to stderr. */
function readPhases(errFile: string): Map<string, [number, number]> {
  const phases = new Map<string, [number, number]>();
  let text = '';
  try {
    text = readFileSync(errFile, 'utf8');
  } catch {
    return phases;
  }
  for (const m of text.matchAll(/^start: (.+?) ([\d.]+) ms \(cpu ([\d.]+) ms\)$/gm)) {
    const [wall, cpu] = phases.get(m[1]!) ?? [0, 0];
    phases.set(m[1]!, [wall + Number(m[2]), cpu + Number(m[3])]);
  }
  return phases;
}

async function startOnce(launch: GalleyLaunch): Promise<Sample> {
  const server = await startGalley(launch);
  const cpuSec = readCpuSeconds(server.proc.pid);
  await Bun.sleep(1000);
  const idleRssKb = readRssKb(server.proc.pid);
  await stopServer(server.proc);
  return { readyMs: server.readyMs, idleRssKb, phases: readPhases(`${server.logFile}.err`), cpuSec };
}

const fmt = (xs: number[], digits = 0): string =>
  `min ${Math.min(...xs).toFixed(digits)} / median ${median(xs).toFixed(digits)} / max ${Math.max(...xs).toFixed(digits)}`;

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'galley-cold-'));
  try {
    const env = opt.trace ? { GALLEY_START_TRACE: '1' } : undefined;
    // one seeded data.db (made by the first binary), copied per binary so a start that writes touches only its own
    const seeded = join(tmp, 'seed');
    await prepareGalleyDir({ command: [binaries[0]!], dir: seeded, logDir: tmp }, generateRows(rows));
    const cases = ['empty', `${rows} rows`] as const;
    const samples = new Map<string, Sample[]>();
    const launches = binaries.map((bin, i) => {
      const copy = join(tmp, `bin-${i}`);
      copyFileSync(bin, copy);
      const seededDir = join(tmp, `seeded-${i}`);
      mkdirSync(seededDir);
      copyFileSync(join(seeded, 'data.db'), join(seededDir, 'data.db'));
      return {
        empty: { command: [copy], dir: join(tmp, `empty-${i}`), logDir: tmp, env },
        seeded: { command: [copy], dir: seededDir, logDir: tmp, env },
      };
    });
    console.log(`cold start: ${binaries.length} binar${binaries.length > 1 ? 'ies' : 'y'}, ${times} starts per case each, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    for (let round = 0; round < times; round++) {
      for (const [c, name] of cases.entries()) {
        for (const [i, launch] of launches.entries()) {
          const s = await startOnce(c === 0 ? launch.empty : launch.seeded);
          const key = `${i}\t${name}`;
          samples.set(key, [...(samples.get(key) ?? []), s]);
        }
      }
    }
    console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    for (const [i, bin] of binaries.entries()) {
      console.log(`\n${bin}`);
      for (const name of cases) {
        const got = samples.get(`${i}\t${name}`)!;
        const rss = got.map((s) => s.idleRssKb).filter((x): x is number => x !== null).map((kb) => kb / 1024);
        const cpu = got.map((s) => s.cpuSec).filter((x): x is number => x !== null).map((sec) => sec * 1000);
        console.log(`  ${name.padEnd(12)} ready ms ${fmt(got.map((s) => s.readyMs))}; CPU ms until ready ${fmt(cpu)}; idle RSS MB ${fmt(rss, 1)}`);
        if (opt.trace) {
          const phases = [...new Set(got.flatMap((s) => [...s.phases.keys()]))];
          for (const p of phases) {
            const wall = median(got.map((s) => s.phases.get(p)?.[0] ?? 0));
            const cpuMs = median(got.map((s) => s.phases.get(p)?.[1] ?? 0));
            console.log(`    ${p.padEnd(50)} median ${wall.toFixed(1)} ms (cpu ${cpuMs.toFixed(1)} ms)`);
          }
        }
      }
    }
  } finally {
    if (!opt.keep) rmSync(tmp, { recursive: true, force: true });
    else console.log(`kept ${tmp}`);
  }
}

await main();
