// E2E harness: the compiled dist/galley as a user runs it, on a free port with a fresh data dir.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/galley, or another build of it named by GALLEY_BINARY (e.g. a release artifact). */
export const BINARY = process.env.GALLEY_BINARY ?? fileURLToPath(new URL('../../../dist/galley', import.meta.url));
const HEALTH_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningBinary {
  /** base URL without a trailing slash, e.g. http://127.0.0.1:40123 */
  url: string;
  dir: string;
  proc: ChildProcess;
  /** everything printed so far */
  output(): { stdout: string; stderr: string };
  /** sends `signal` (default SIGTERM), waits for the exit (SIGKILL after 10 s) and removes a dir it created */
  stop(signal?: NodeJS.Signals): Promise<RunResult & { ms: number }>;
}

function assertBinary(): void {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`npm run build\` first`);
}

/** A fresh temp dir, removed by the caller. */
export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'galley-e2e-'));
}

/** A port nobody listens on right now (bind 0, read it, release it). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Settles after the process exited AND its pipes closed, so no output is lost. */
function whenClosed(proc: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));
}

/** Runs the binary to completion (for commands other than serve). */
export async function runBinary(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; input?: string; cwd?: string } = {}): Promise<RunResult> {
  assertBinary();
  const proc = spawn(BINARY, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (opts.input !== undefined) proc.stdin!.end(opts.input);
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  proc.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const closed = whenClosed(proc);
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
  const { code, signal } = await closed;
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

/**
 * Starts `galley serve` on a free port and resolves once GET /api/health answers 200.
 * `schema`: a file path, or an object/array written to <dir>/schema.json. No schema → no --schema flag.
 */
export interface StartOptions {
  schema?: string | object;
  dir?: string;
  env?: Record<string, string>;
  /** extra `serve` flags */
  args?: string[];
  /** pass dir, port and schema as GALLEY_DIR / GALLEY_HTTP / GALLEY_SCHEMA instead of flags */
  viaEnv?: boolean;
}

export async function startBinary(opts: StartOptions = {}): Promise<RunningBinary> {
  assertBinary();
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? makeTempDir();
  let schemaFile: string | undefined;
  if (typeof opts.schema === 'string') schemaFile = opts.schema;
  else if (opts.schema !== undefined) {
    schemaFile = join(dir, 'schema.json');
    writeFileSync(schemaFile, JSON.stringify(opts.schema, null, 2));
  }
  const port = await findFreePort();
  const settings: Record<string, string> = { dir, http: `127.0.0.1:${port}`, ...(schemaFile ? { schema: schemaFile } : {}) };
  const args = ['serve'];
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  for (const [name, value] of Object.entries(settings)) {
    if (opts.viaEnv) env[`GALLEY_${name.toUpperCase()}`] = value;
    else args.push(`--${name}`, value);
  }
  args.push(...(opts.args ?? []));
  const proc = spawn(BINARY, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  proc.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const closed = whenClosed(proc);
  const url = `http://127.0.0.1:${port}`;

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<RunResult & { ms: number }> => {
    const started = performance.now();
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    const killer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const exit = await closed;
    clearTimeout(killer);
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    return { ...exit, stdout, stderr, ms: performance.now() - started };
  };

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      await stop();
      throw new Error(`galley serve exited (${proc.exitCode ?? proc.signalCode}) before answering /api/health\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    }
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    if (res?.status === 200) break;
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(`galley serve did not answer /api/health within ${HEALTH_TIMEOUT_MS / 1000}s\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, dir, proc, output: () => ({ stdout, stderr }), stop };
}
