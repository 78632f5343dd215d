// The realtime row of `npm run bench`: N SSE subscribers on one Galley (every fifth signed in as one of a few
// users, the rest guests), records created at a fixed rate under a rule that depends on the subscriber
// (`public = true || owner = @request.auth.id`), and per delivered message the time from the create request
// leaving to the message arriving. Lost = messages the rule lets through that never arrived.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort, readCpuSeconds, readPeakRssKb, readThreadCpuSeconds, startServer, stopServer, waitForOk } from './processes.ts';
import { openSseSocket, type SseSocket } from './sse-socket.ts';

export interface RealtimeBenchOptions {
  /** the command that runs `galley` (binary, or bun + cli/src/main.ts) */
  command: string[];
  tmp: string;
  subscribers: number;
  /** creates per second */
  rate: number;
  durationSec: number;
  users: number;
}

export interface RealtimeBenchResult {
  subscribers: number;
  users: number;
  rate: number;
  durationSec: number;
  creates: number;
  failedCreates: number;
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  serverCpuPct: number | null;
  serverPeakRssKb: number | null;
  /**
   * From the first create until the last message arrived (or the drain gave up): wall seconds, and the CPU
   * seconds of the server and of this process (the load generator: every subscriber socket lives here, on the
   * same cores), so a run where the generator, not the server, was the limit shows it.
   */
  deliverySec: number;
  serverDeliveryCpuSec: number | null;
  clientDeliveryCpuSec: number | null;
  /**
   * The server's delivery CPU apart: user and system time (system: the socket writes, which on loopback also
   * carry the receiving side's TCP work) and its main thread (the event loop: near 100 % of a core, it is the limit).
   */
  serverDeliveryUserSec: number | null;
  serverDeliverySysSec: number | null;
  serverDeliveryMainSec: number | null;
  /** socket reads after PB_CONNECT: delivered ÷ reads is at least the messages per server write (a reader behind joins writes) */
  reads: number;
}

/** utime and stime of a process in seconds, apart; null when /proc cannot tell. */
function readUserSysSeconds(pid: number): { user: number; sys: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / 100, sys: Number(fields[12]) / 100 };
  } catch {
    return null;
  }
}

const RULE = 'public = true || owner = @request.auth.id';
const SCHEMA = [
  { name: 'users', type: 'auth', listRule: 'id = @request.auth.id', viewRule: 'id = @request.auth.id', createRule: '', updateRule: null, deleteRule: null, fields: [] },
  {
    name: 'feed', type: 'base', listRule: RULE, viewRule: RULE, createRule: '', updateRule: null, deleteRule: null,
    fields: [{ name: 'seq', type: 'number' }, { name: 'public', type: 'bool' }, { name: 'owner', type: 'text' }, { name: 'body', type: 'text' }],
  },
];

/** Runs `fn` over `items` with at most `limit` in flight. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

export async function runRealtimeBench(o: RealtimeBenchOptions): Promise<RealtimeBenchResult> {
  const dir = join(o.tmp, 'realtime');
  mkdirSync(dir, { recursive: true });
  const schemaFile = join(dir, 'schema.json');
  writeFileSync(schemaFile, JSON.stringify(SCHEMA));
  const port = await findFreePort();
  const base = `http://127.0.0.1:${port}`;
  const logFile = join(o.tmp, 'galley-realtime.log');
  // every subscriber comes from 127.0.0.1: the per-IP stream cap (settings realtime.maxStreamsPerIp, 50) must let them in
  const env = { GALLEY_LOG_LEVEL: 'warn', GALLEY_REALTIME_MAX_STREAMS_PER_IP: String(o.subscribers + 10) };
  const proc = startServer([...o.command, 'serve', '--schema', schemaFile, '--dir', join(dir, 'data'), '--http', `127.0.0.1:${port}`], logFile, env);
  const sockets: SseSocket[] = [];
  try {
    await waitForOk(`${base}/api/health`, proc, logFile, performance.now());
    const users: Array<{ id: string; token: string }> = [];
    await eachLimited(Array.from({ length: o.users }, (_, i) => i), 4, async (i) => {
      const email = `rt${i}@example.com`;
      const created = await postJson(`${base}/api/collections/users/records`, { email, password: 'password123', passwordConfirm: 'password123' });
      let auth = await postJson(`${base}/api/collections/users/auth-with-password`, { identity: email, password: 'password123' });
      // auth routes are rate limited by default (10 per 3 s per IP): wait and retry
      while (auth.status === 429) {
        await Bun.sleep(1000);
        auth = await postJson(`${base}/api/collections/users/auth-with-password`, { identity: email, password: 'password123' });
      }
      if (created.status !== 200 || auth.status !== 200) throw new Error(`bench user ${i}: ${created.status}/${auth.status}`);
      users[i] = { id: created.json.id, token: auth.json.token };
    });

    const total = Math.round(o.rate * o.durationSec);
    // typed arrays indexed by seq and subscriber, not a Map, a Set per subscriber and a growing array: at 10k
    // subscribers the bookkeeping per message was a measurable part of the load generator
    const sentAt = new Float64Array(total);
    /** latency (ms) of each first delivery */
    const latencies = new Float32Array(total * o.subscribers);
    const owners: Array<string | null> = []; // per subscriber: its user id, or null for a guest
    /** per subscriber and seq: 1 once delivered */
    const seen = new Uint8Array(total * o.subscribers);
    let duplicates = 0;
    let delivered = 0;
    let unexpected = 0;
    let timed = 0;
    let reads = 0;
    const countRead = () => void reads++;
    await eachLimited(Array.from({ length: o.subscribers }, (_, i) => i), 200, async (i) => {
      const user = i % 5 === 0 ? users[(i / 5) % o.users]! : null;
      owners[i] = user?.id ?? null;
      const row = i * total;
      const socket = openSseSocket('127.0.0.1', port, (seq, arrivedAt) => {
        delivered++;
        if (seq >= total) unexpected++;
        else if (seen[row + seq] === 1) duplicates++;
        else {
          seen[row + seq] = 1;
          latencies[timed++] = arrivedAt - sentAt[seq]!;
        }
      }, countRead);
      sockets.push(socket);
      const clientId = await socket.clientId;
      const res = await postJson(`${base}/api/realtime`, { clientId, subscriptions: ['feed/*'] }, user?.token);
      if (res.status !== 204) throw new Error(`subscribe ${i}: ${res.status} ${JSON.stringify(res.json)}`);
    });

    const cpuBefore = readCpuSeconds(proc.pid!);
    const clientCpuBefore = readCpuSeconds(process.pid);
    const splitBefore = readUserSysSeconds(proc.pid!);
    const mainBefore = readThreadCpuSeconds(proc.pid!)?.main ?? null;
    reads = 0;
    const started = performance.now();
    const creates: Array<Promise<number>> = [];
    const rows: Array<{ public: boolean; owner: string }> = [];
    for (let seq = 0; seq < total; seq++) {
      const due = started + (seq * 1000) / o.rate;
      const wait = due - performance.now();
      if (wait > 0) await Bun.sleep(wait);
      const row = { public: seq % 3 !== 0, owner: users[seq % o.users]!.id };
      rows[seq] = row;
      sentAt[seq] = performance.now();
      creates.push(postJson(`${base}/api/collections/feed/records`, { seq, ...row, body: 'x'.repeat(200) }).then((r) => r.status));
    }
    const statuses = await Promise.all(creates);
    const elapsed = (performance.now() - started) / 1000;
    const cpuAfter = readCpuSeconds(proc.pid!);
    let expected = 0;
    for (let seq = 0; seq < total; seq++) {
      if (statuses[seq] !== 200) continue;
      for (let i = 0; i < o.subscribers; i++) if (rows[seq]!.public || rows[seq]!.owner === owners[i]) expected++;
    }
    // Messages still on their way are waited for as long as they keep arriving: lost means none came for
    // 30 s, not that the server was still behind when a fixed deadline passed (at 10k subscribers a 5 s
    // deadline after the last create counted a third of a run's messages lost that were still queued, and on
    // a loaded box one flush pass of a server far behind can take longer than 5 s before its writes start).
    let lastCount = delivered;
    let lastProgress = performance.now();
    while (timed < expected && performance.now() - lastProgress < 30_000) {
      await Bun.sleep(20);
      if (delivered !== lastCount) {
        lastCount = delivered;
        lastProgress = performance.now();
      }
    }
    const deliverySec = (Math.min(performance.now(), lastProgress + 20) - started) / 1000;
    const serverCpuEnd = readCpuSeconds(proc.pid!);
    const clientCpuEnd = readCpuSeconds(process.pid);
    const splitEnd = readUserSysSeconds(proc.pid!);
    const mainEnd = readThreadCpuSeconds(proc.pid!)?.main ?? null;
    const sorted = latencies.subarray(0, timed).sort(); // a typed array sorts by value
    const failed = statuses.filter((s) => s !== 200).length;
    return {
      subscribers: o.subscribers, users: o.users, rate: o.rate, durationSec: o.durationSec,
      creates: total - failed, failedCreates: failed, expected, delivered: delivered - unexpected, lost: Math.max(0, expected - timed), duplicates,
      p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? NaN,
      serverCpuPct: cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) / elapsed) * 100,
      serverPeakRssKb: readPeakRssKb(proc.pid!),
      deliverySec,
      serverDeliveryCpuSec: cpuBefore === null || serverCpuEnd === null ? null : serverCpuEnd - cpuBefore,
      clientDeliveryCpuSec: clientCpuBefore === null || clientCpuEnd === null ? null : clientCpuEnd - clientCpuBefore,
      serverDeliveryUserSec: splitBefore && splitEnd ? splitEnd.user - splitBefore.user : null,
      serverDeliverySysSec: splitBefore && splitEnd ? splitEnd.sys - splitBefore.sys : null,
      serverDeliveryMainSec: mainBefore === null || mainEnd === null ? null : mainEnd - mainBefore,
      reads,
    };
  } finally {
    for (const s of sockets) s.close();
    await stopServer(proc);
  }
}

export function formatRealtimeRow(r: RealtimeBenchResult): string {
  const cpu = r.serverCpuPct === null ? '-' : `${r.serverCpuPct.toFixed(0)}%`;
  const rss = r.serverPeakRssKb === null ? '-' : `${(r.serverPeakRssKb / 1024).toFixed(0)} MB`;
  const messages = r.delivered - r.duplicates;
  // CPU per delivered message over the whole delivery, server and load generator (this process) apart
  const perMessage = (sec: number | null): string => (sec === null || messages === 0 ? '-' : `${((sec * 1e6) / messages).toFixed(1)} µs`);
  const share = (sec: number | null): string => (sec === null ? '-' : `${((sec / r.deliverySec) * 100).toFixed(0)}%`);
  return (
    `realtime: ${r.subscribers} SSE subscribers (${r.users} users + guests), ${r.rate} creates/s for ${r.durationSec}s under "${RULE}": ` +
    `delivery p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms (target < 200), max ${r.maxMs.toFixed(1)} ms; ` +
    `${r.delivered - r.duplicates}/${r.expected} delivered, ${r.lost} lost, ${r.duplicates} duplicates, ${r.failedCreates} failed creates; server CPU ${cpu}, peak RSS ${rss}; ` +
    `until the last message (${r.deliverySec.toFixed(1)} s): server ${share(r.serverDeliveryCpuSec)} of a core, ${perMessage(r.serverDeliveryCpuSec)}/message, ` +
    `load generator ${share(r.clientDeliveryCpuSec)}, ${perMessage(r.clientDeliveryCpuSec)}/message; ` +
    `server user ${perMessage(r.serverDeliveryUserSec)} + system ${perMessage(r.serverDeliverySysSec)}/message, main thread ${share(r.serverDeliveryMainSec)} of a core; ` +
    `${r.reads === 0 ? '-' : (messages / r.reads).toFixed(1)} messages per socket read`
  );
}
