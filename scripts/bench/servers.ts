// The two servers under test: the bare baseline and Galley (the compiled binary, or its source under bun for
// profiling), each started on a free port with its output in a log file under the bench's temp dir.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Subprocess } from 'bun';
import { findFreePort, startServer, stopServer, waitForOk } from './processes.ts';
import { type BenchRow, seedGalleyDb } from './seed.ts';

export const root = resolve(import.meta.dir, '..', '..');
export const schemaFile = join(import.meta.dir, 'galley-schema.json');

export interface RunningServer {
  name: 'bare' | 'galley';
  proc: Subprocess;
  base: string;
  logFile: string;
  /** ms from spawn to the first 200. */
  readyMs: number;
}

export interface GalleyLaunch {
  /** The command that runs `galley` (the binary, or bun + cli/src/main.ts). */
  command: string[];
  dir: string;
  logDir: string;
  /** Extra `serve` flags (e.g. --synchronous). */
  extraArgs?: string[];
  /** Extra environment (e.g. GALLEY_LOGS_MAX_DAYS=0: request logging off). */
  env?: Record<string, string>;
}

export async function startBare(dbFile: string, logDir: string): Promise<RunningServer> {
  const port = await findFreePort();
  const logFile = join(logDir, 'bare.log');
  const since = performance.now();
  const proc = startServer([process.execPath, join(import.meta.dir, 'bare-server.ts'), '--db', dbFile, '--port', String(port)], logFile);
  const base = `http://127.0.0.1:${port}`;
  const readyMs = await waitForOk(`${base}/health`, proc, logFile, since);
  return { name: 'bare', proc, base, logFile, readyMs };
}

let launches = 0;

export async function startGalley(launch: GalleyLaunch): Promise<RunningServer> {
  const port = await findFreePort();
  const logFile = join(launch.logDir, `galley-${++launches}.log`);
  const args = ['serve', '--schema', schemaFile, '--dir', launch.dir, '--http', `127.0.0.1:${port}`, ...(launch.extraArgs ?? [])];
  const since = performance.now();
  const proc = startServer([...launch.command, ...args], logFile, launch.env);
  const base = `http://127.0.0.1:${port}`;
  const readyMs = await waitForOk(`${base}/api/health`, proc, logFile, since);
  return { name: 'galley', proc, base, logFile, readyMs };
}

/** First start creates the tables from the bench schema; then, stopped, its data.db gets the rows. */
export async function prepareGalleyDir(launch: GalleyLaunch, rows: readonly BenchRow[]): Promise<void> {
  mkdirSync(launch.dir, { recursive: true });
  const first = await startGalley(launch);
  await stopServer(first.proc);
  seedGalleyDb(join(launch.dir, 'data.db'), rows);
}

/** Spawn → first 200 on /api/health, `times` times on the same data dir; each process is stopped before the next. */
export async function measureColdStarts(launch: GalleyLaunch, times: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const server = await startGalley(launch);
    out.push(server.readyMs);
    await stopServer(server.proc);
  }
  return out;
}
