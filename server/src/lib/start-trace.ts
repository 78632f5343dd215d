/**
 * GALLEY_START_TRACE=1: how long each phase of a start takes, one `start: <phase> <ms> ms (cpu <ms> ms)` line per
 * phase on stderr (scripts/bench/cold-start.ts --trace reads them); the process's CPU time (all threads) beside the
 * wall time, which a busy machine stretches. Off, a phase costs one call and no clock reads.
 */
import { writeSync } from 'node:fs';

export interface StartTrace {
  /** runs `fn`, then (when tracing) prints the time it took as `phase` */
  time<T>(phase: string, fn: () => T): T;
  /** prints the time since the previous mark or time() (or since the process began, for the first) as `phase` */
  mark(phase: string): void;
}

const OFF: StartTrace = { time: (_phase, fn) => fn(), mark: () => {} };

/** `write` takes each line; by default fd 2 written directly (see below). */
export function createStartTrace(env: Record<string, string | undefined>, write: (line: string) => void = (line) => writeSync(2, line)): StartTrace {
  if (env['GALLEY_START_TRACE'] !== '1') return OFF;
  // performance.now() counts from the process's start (its time origin), so the first mark covers module loading
  let last = 0;
  let lastCpu = 0;
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  // the default writes fd 2 with writeSync: process.stderr's first write sets up Node's stream machinery (~8 ms of CPU), which would
  // land in the very phase being timed
  const print = (phase: string, ms: number, cpu: number) => write(`start: ${phase} ${ms.toFixed(1)} ms (cpu ${cpu.toFixed(1)} ms)\n`);
  return {
    time(phase, fn) {
      const since = performance.now();
      const sinceCpu = cpuMs();
      const done = () => {
        last = performance.now();
        lastCpu = cpuMs();
        print(phase, last - since, lastCpu - sinceCpu);
      };
      const out = fn();
      if (out instanceof Promise) return out.finally(done) as typeof out;
      done();
      return out;
    },
    mark(phase) {
      const now = performance.now();
      const cpu = cpuMs();
      print(phase, now - last, cpu - lastCpu);
      last = now;
      lastCpu = cpu;
    },
  };
}
