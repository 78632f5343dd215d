// How much memory anonymous realtime subscribers can make a server hold, and whether it is given back:
// CLIENTS SSE streams each POST a subscription set of TOPICS topics of TOPIC_CHARS characters; the server's
// RSS is read from /proc/<pid>/status before, while they are connected, and a while after they left.
// Prints figures, asserts nothing.
//
//   bun scripts/bench/realtime-memory.ts [--binary dist/galley] [--clients 100] [--topics 1000] [--chars 2400]
//                                        [--streams-per-ip N]   (raise Galley's per-IP stream limit first)
//                                        [--filters]   (each topic a distinct filter option; one event compiles them)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findFreePort, readRssKb, startServer, stopServer, waitForOk } from './processes.ts';
import { openSseSocket, type SseSocket } from './sse-socket.ts';

export interface MemoryRunOptions {
  binary: string;
  clients: number;
  topics: number;
  chars: number;
  /** when set, PATCH /api/settings `realtime.maxStreamsPerIp` (through a superuser made with the CLI) first */
  streamsPerIp?: number;
  /** topics carry a distinct `filter` option each, and one record is created while they listen (compiled checks) */
  filters?: boolean;
  /** how long to wait after the clients left before reading "after" (default 30 s; "soon after" is at 5 s) */
  afterMs?: number;
}

export interface MemoryRunResult {
  beforeKb: number;
  connectedKb: number;
  soonAfterKb: number;
  afterKb: number;
  peakKb: number;
  accepted: number;
  refusedStreams: number;
  refusedSubscriptions: number;
}

const SU_EMAIL = 'bench@example.com';
const SU_PASSWORD = 'bench-password-123';

async function runCli(binary: string, args: string[]): Promise<void> {
  const proc = Bun.spawn([binary, ...args], { stdout: 'pipe', stderr: 'pipe' });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`${args.join(' ')}: exit ${code}\n${await new Response(proc.stderr).text()}`);
}

/** A superuser created with the CLI (so no anonymous request is needed), then a settings PATCH. */
export async function patchSettingsAsSuperuser(binary: string, dir: string, base: string, patch: unknown): Promise<void> {
  await runCli(binary, ['superuser', 'upsert', SU_EMAIL, SU_PASSWORD, '--dir', dir]);
  const auth = await fetch(`${base}/api/collections/_superusers/auth-with-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identity: SU_EMAIL, password: SU_PASSWORD }),
  });
  if (auth.status !== 200) throw new Error(`superuser sign-in: ${auth.status} ${await auth.text()}`);
  const { token } = (await auth.json()) as { token: string };
  const res = await fetch(`${base}/api/settings`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify(patch),
  });
  if (res.status !== 200) throw new Error(`settings PATCH: ${res.status} ${await res.text()}`);
}

/** `posts/*` with the SDK's options and a filter of its own, `chars` long in all */
function filteredTopic(tag: string, chars: number): string {
  const topic = (text: string) => `posts/*?options=${encodeURIComponent(JSON.stringify({ query: { filter: `title != '${tag}${text}'` } }))}`;
  return topic('x'.repeat(Math.max(0, chars - topic('').length)));
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureRealtimeMemory(o: MemoryRunOptions): Promise<MemoryRunResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'galley-rt-mem-'));
  const dir = join(tmp, 'data');
  const schemaFile = join(tmp, 'schema.json');
  writeFileSync(schemaFile, JSON.stringify([{ name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] }]));
  const port = await findFreePort();
  const base = `http://127.0.0.1:${port}`;
  const logFile = join(tmp, 'server.log');
  const proc = startServer([o.binary, 'serve', '--schema', schemaFile, '--dir', dir, '--http', `127.0.0.1:${port}`], logFile, { GALLEY_LOG_LEVEL: 'warn' });
  const sockets: SseSocket[] = [];
  let peakKb = 0;
  const sample = () => {
    const kb = readRssKb(proc.pid) ?? 0;
    peakKb = Math.max(peakKb, kb);
    return kb;
  };
  try {
    await waitForOk(`${base}/api/health`, proc, logFile, performance.now());
    if (o.streamsPerIp !== undefined) await patchSettingsAsSuperuser(o.binary, dir, base, { realtime: { maxStreamsPerIp: o.streamsPerIp } });
    await settle(1000);
    const beforeKb = sample();
    let accepted = 0;
    let refusedStreams = 0;
    let refusedSubscriptions = 0;
    for (let c = 0; c < o.clients; c++) {
      const socket = openSseSocket('127.0.0.1', port, () => {});
      sockets.push(socket);
      let clientId: string;
      try {
        clientId = await socket.clientId;
      } catch {
        refusedStreams++;
        continue;
      }
      // distinct topics per client, as an attacker would send (nothing shared between clients)
      const subscriptions = Array.from({ length: o.topics }, (_, t) => (o.filters ? filteredTopic(`${c}-${t}-`, o.chars) : `${c}-${t}-`.padEnd(o.chars, 'x')));
      const res = await fetch(`${base}/api/realtime`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId, subscriptions }),
      });
      await res.arrayBuffer();
      if (res.status === 204) accepted++;
      else refusedSubscriptions++;
      sample();
    }
    if (o.filters) {
      const res = await fetch(`${base}/api/collections/posts/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'hello' }) });
      if (res.status !== 200) throw new Error(`create: ${res.status} ${await res.text()}`);
    }
    await settle(o.filters ? 5000 : 1000);
    const connectedKb = sample();
    for (const s of sockets) s.close();
    sockets.length = 0;
    // give the server time to notice the closed sockets and its collector time to run
    await settle(5000);
    const soonAfterKb = sample();
    // the collector of an idle process runs on a timer: memory comes back within tens of seconds
    await settle(Math.max(0, (o.afterMs ?? 30_000) - 5000));
    const afterKb = sample();
    return { beforeKb, connectedKb, soonAfterKb, afterKb, peakKb, accepted, refusedStreams, refusedSubscriptions };
  } finally {
    for (const s of sockets) s.close();
    await stopServer(proc);
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function formatMemoryRow(o: MemoryRunOptions, r: MemoryRunResult): string {
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  return (
    `realtime memory: ${o.clients} clients × ${o.topics} topics × ${o.chars} chars` +
    (o.filters ? ' with a filter each, one record created' : '') +
    (o.streamsPerIp !== undefined ? ` (maxStreamsPerIp ${o.streamsPerIp})` : '') +
    `: RSS before ${mb(r.beforeKb)}, connected ${mb(r.connectedKb)} (+${mb(r.connectedKb - r.beforeKb)}), ` +
    `peak ${mb(r.peakKb)} (+${mb(r.peakKb - r.beforeKb)}), 5 s after they left ${mb(r.soonAfterKb)} (+${mb(r.soonAfterKb - r.beforeKb)}), ` +
    `${((o.afterMs ?? 30_000) / 1000).toFixed(0)} s after ${mb(r.afterKb)} (+${mb(r.afterKb - r.beforeKb)}); ` +
    `${r.accepted} subscription sets accepted, ${r.refusedSubscriptions} refused, ${r.refusedStreams} streams refused`
  );
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      binary: { type: 'string', default: resolve(import.meta.dir, '..', '..', 'dist', 'galley') },
      clients: { type: 'string', default: '100' },
      topics: { type: 'string', default: '1000' },
      chars: { type: 'string', default: '2400' },
      'streams-per-ip': { type: 'string' },
      'after-ms': { type: 'string' },
      filters: { type: 'boolean', default: false },
    },
  });
  const opts: MemoryRunOptions = {
    binary: resolve(values.binary!),
    clients: Number(values.clients),
    topics: Number(values.topics),
    chars: Number(values.chars),
    ...(values['streams-per-ip'] !== undefined ? { streamsPerIp: Number(values['streams-per-ip']) } : {}),
    ...(values['after-ms'] !== undefined ? { afterMs: Number(values['after-ms']) } : {}),
    filters: values.filters,
  };
  console.log(formatMemoryRow(opts, await measureRealtimeMemory(opts)));
}
