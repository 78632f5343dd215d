// Login flood: 500 password logins at once against one Galley (half right, half wrong passwords; rate limits
// switched off, as for a flood from many addresses), while one client keeps asking GET /api/health and a
// records list one after the other. Prints Galley's peak RSS and the latency of those other requests.
// The flood comes from a child process: one client's own connection pool would otherwise queue the probe
// requests behind its 500 logins and time the client, not the server.
// Standalone: bun scripts/bench/login-flood.ts [--logins N] [--galley PATH | --source]; `npm run bench` runs it too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findFreePort, readPeakRssKb, readRssKb, startServer, stopServer, waitForOk } from './processes.ts';
import { root } from './servers.ts';

export interface LoginFloodResult {
  logins: number;
  loginStatuses: Record<string, number>;
  floodMs: number;
  other: { requests: number; non200: number; p50Ms: number; p99Ms: number; maxMs: number };
  idleRssKb: number | null;
  peakRssKb: number | null;
}

const SCHEMA = [{ name: 'users', type: 'auth', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'name', type: 'text' }] }];

const pct = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!);

async function call(base: string, method: string, path: string, body?: unknown, token?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['authorization'] = token;
  return fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Runs the flood against a fresh Galley started with `command` (the binary, or bun + cli/src/main.ts). */
export async function runLoginFlood(opts: { command: string[]; logins?: number }): Promise<LoginFloodResult> {
  const logins = opts.logins ?? 500;
  const tmp = mkdtempSync(join(tmpdir(), 'galley-flood-'));
  const dir = join(tmp, 'data');
  const schemaFile = join(tmp, 'schema.json');
  writeFileSync(schemaFile, JSON.stringify(SCHEMA));
  const su = Bun.spawnSync([...opts.command, 'superuser', 'upsert', 'root@example.com', 'rootpass123', '--dir', dir]);
  if (!su.success) throw new Error(`superuser upsert failed: ${su.stderr.toString()}`);
  const port = await findFreePort();
  const logFile = join(tmp, 'galley.log');
  const proc = startServer([...opts.command, 'serve', '--schema', schemaFile, '--dir', dir, '--http', `127.0.0.1:${port}`], logFile);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${base}/api/health`, proc, logFile, performance.now());
    const root = (await (await call(base, 'POST', '/api/collections/_superusers/auth-with-password', { identity: 'root@example.com', password: 'rootpass123' })).json()) as { token: string };
    const off = await call(base, 'PATCH', '/api/settings', { rateLimits: { enabled: false } }, root.token);
    if (off.status !== 200) throw new Error(`settings: ${off.status} ${await off.text()}`);
    const signUp = await call(base, 'POST', '/api/collections/users/records', { email: 'flood@example.com', password: 'password123', passwordConfirm: 'password123' });
    if (signUp.status !== 200) throw new Error(`sign-up: ${signUp.status} ${await signUp.text()}`);
    await Bun.sleep(500);
    const idleRssKb = readRssKb(proc.pid);

    const started = performance.now();
    const worker = Bun.spawn([process.execPath, import.meta.path, '--flood', base, '--logins', String(logins)], {
      stdout: 'pipe',
      stderr: 'inherit',
      // Bun's fetch opens at most 256 connections by default; the flood wants every login in flight at once
      env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: String(Math.max(256, logins + 16)) },
    });
    const output = new Response(worker.stdout).text();
    let done = false;
    void worker.exited.then(() => (done = true));
    const latencies: number[] = [];
    let non200 = 0;
    for (let i = 0; !done; i++) {
      const t0 = performance.now();
      const res = await call(base, 'GET', i % 2 === 0 ? '/api/health' : '/api/collections/users/records?perPage=1');
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== 200) non200++;
    }
    if ((await worker.exited) !== 0) throw new Error('the flood process failed');
    const loginStatuses = JSON.parse(await output) as Record<string, number>;
    const floodMs = performance.now() - started;
    latencies.sort((a, b) => a - b);
    return {
      logins,
      loginStatuses,
      floodMs,
      other: { requests: latencies.length, non200, p50Ms: pct(latencies, 0.5), p99Ms: pct(latencies, 0.99), maxMs: latencies.at(-1) ?? 0 },
      idleRssKb,
      peakRssKb: readPeakRssKb(proc.pid),
    };
  } finally {
    await stopServer(proc);
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function formatLoginFlood(r: LoginFloodResult): string {
  const mb = (kb: number | null) => (kb === null ? '-' : `${(kb / 1024).toFixed(1)} MB`);
  const statuses = Object.entries(r.loginStatuses).map(([s, n]) => `${n}× ${s}`).join(', ');
  return [
    `login flood: ${r.logins} concurrent password logins (${statuses}) done in ${(r.floodMs / 1000).toFixed(1)} s`,
    `  meanwhile ${r.other.requests} health/list requests one after another: ${r.other.non200} not 200; latency p50 ${r.other.p50Ms.toFixed(1)} ms, p99 ${r.other.p99Ms.toFixed(1)} ms, max ${r.other.maxMs.toFixed(1)} ms`,
    `  galley RSS: idle ${mb(r.idleRssKb)}, peak ${mb(r.peakRssKb)}`,
  ].join('\n');
}

/** The flood itself (child process): every login at once; prints the count of each status as JSON. */
async function fireLogins(base: string, logins: number): Promise<void> {
  const statuses: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: logins }, (_, i) =>
      call(base, 'POST', '/api/collections/users/auth-with-password', { identity: 'flood@example.com', password: i % 2 === 0 ? 'password123' : 'wrong-password' })
        .then(async (res) => {
          await res.arrayBuffer();
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        })
        .catch(() => {
          statuses['error'] = (statuses['error'] ?? 0) + 1;
        }),
    ),
  );
  console.log(JSON.stringify(statuses));
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { logins: { type: 'string' }, galley: { type: 'string' }, source: { type: 'boolean', default: false }, flood: { type: 'string' } },
  });
  if (values.flood) {
    await fireLogins(values.flood, Number(values.logins ?? 500));
    process.exit(0);
  }
  const command = values.source ? [process.execPath, join(root, 'cli', 'src', 'main.ts')] : [values.galley ?? join(root, 'dist', 'galley')];
  const result = await runLoginFlood({ command, logins: values.logins ? Number(values.logins) : undefined });
  console.log(formatLoginFlood(result));
}
