// Child processes of the bench: servers on free ports, waiting for them to answer, stopping them, and what
// /proc says about them (RSS, CPU time), plus the load generator run as its own process.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import type { LoadOptions, LoadResult } from './load.ts';

const here = import.meta.dir;

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a server with its output in a log file (a pipe nobody drains would stall a chatty server). */
export function startServer(cmd: string[], logFile: string, env: Record<string, string> = {}): Subprocess {
  return Bun.spawn(cmd, {
    stdout: Bun.file(logFile),
    stderr: Bun.file(`${logFile}.err`),
    env: { ...process.env, ...env },
  });
}

export function readLogTail(logFile: string, lines = 20): string {
  const read = (f: string): string => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  };
  return (read(logFile) + read(`${logFile}.err`)).split('\n').slice(-lines).join('\n');
}

/** Polls url until it answers 200; returns ms since `since`. Throws with the log tail if the process dies. */
export async function waitForOk(url: string, proc: Subprocess, logFile: string, since: number, timeoutMs = 30_000): Promise<number> {
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${url}: the server exited (${proc.exitCode ?? proc.signalCode}) before answering:\n${readLogTail(logFile)}`);
    }
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (performance.now() - since > timeoutMs) {
      proc.kill('SIGKILL');
      throw new Error(`${url}: no 200 within ${timeoutMs} ms:\n${readLogTail(logFile)}`);
    }
    await Bun.sleep(2);
  }
}

/** SIGTERM, then SIGKILL if it has not exited within graceMs. */
export async function stopServer(proc: Subprocess, graceMs = 10_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

function readStatus(pid: number, key: string): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${key}:`));
    return line ? Number(line.split(/\s+/)[1]) : null;
  } catch {
    return null;
  }
}

/** Resident set size in KiB (VmRSS), or null off Linux. */
export const readRssKb = (pid: number): number | null => readStatus(pid, 'VmRSS');
/** Peak resident set size in KiB (VmHWM). */
export const readPeakRssKb = (pid: number): number | null => readStatus(pid, 'VmHWM');

/** utime + stime of a process in seconds (Linux clock ticks are 100 Hz on every common kernel config). */
export function readCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // fields 14 and 15 of stat(5), counted after the name
  } catch {
    return null;
  }
}

/**
 * utime + stime in seconds per kind of thread of a process: `main` (the event loop), `workers` (worker_threads,
 * which Bun names "Worker": the log writer, read-aside, thumbnails) and `other` (JIT, GC, pools), with `other`
 * also by thread name (JITWorker, HeapHelper, mi-scavenger: the allocator returning memory, …); null off Linux.
 */
export function readThreadCpuSeconds(pid: number): { main: number; workers: number; other: number; otherByName: Record<string, number> } | null {
  try {
    const out = { main: 0, workers: 0, other: 0, otherByName: {} as Record<string, number> };
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread ended meanwhile
      }
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
      const kind = Number(tid) === pid ? 'main' : name === 'Worker' ? 'workers' : 'other';
      out[kind] += seconds;
      if (kind === 'other') out.otherByName[name] = (out.otherByName[name] ?? 0) + seconds;
    }
    return out;
  } catch {
    return null;
  }
}

/** Runs load.ts in its own bun process and parses its JSON line. */
export async function runLoadProcess(opts: Omit<LoadOptions, 'ids'> & { idsFile: string }): Promise<LoadResult> {
  const cmd = [
    process.execPath, join(here, 'load.ts'),
    '--base', opts.base, '--target', opts.target, '--scenario', opts.scenario, '--ids', opts.idsFile,
    '--concurrency', String(opts.concurrency), '--duration', String(opts.durationSec), '--warmup', String(opts.warmupSec),
    ...(opts.count !== undefined ? ['--count', String(opts.count)] : []),
  ];
  const proc = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const line = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`load generator failed (exit ${code}):\n${err}${out}`);
  return JSON.parse(line) as LoadResult;
}
