// A Galley on a socket, driven through everything that opens a timer, socket, thread or file: the SDK's
// realtime stream, a thumbnail, a rate limit hit, an OTP decoy, request logs, a cron run, a costly list (the
// read-aside worker), and the schema follower's poll. Shared by lifecycle.test.ts and the Bun child script.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { Jimp } from 'jimp';
import PocketBase from 'pocketbase';
import { createGalley, type Galley } from '../../src/index.ts';
import { FOUR_HOP_FILTER, friendsUsers } from '../helpers/friends-collection.ts';
import type { Logger } from '../../src/lib/log.ts';

export function lifecycleSchema(): unknown[] {
  return [
    { ...friendsUsers(), otp: { enabled: true } },
    {
      name: 'docs',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: null,
      deleteRule: null,
      fields: [{ name: 'files', type: 'file', maxSelect: 1, maxSize: 1_000_000, thumbs: ['20x20'] }],
    },
  ];
}

/** One rule the workload trips: /api/health once a minute per IP. */
export const HEALTH_ONCE = { rateLimits: { enabled: true, rules: [{ label: '/api/health', audience: '', duration: 60, maxRequests: 1 }] } };

/** `logger`: the test logger in vitest; the child script (no vitest there) passes a plain one. */
export async function startLifecycleGalley(logger: Logger): Promise<{ galley: Galley; dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'galley-lifecycle-'));
  const galley = await createGalley({ dir, schema: lifecycleSchema(), env: {}, logger, settings: HEALTH_ONCE });
  return { galley, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What the workload saw (each step must have done what it stands for, or the resource check proves little). */
export interface WorkloadReport {
  realtimeEvents: number;
  thumbStatus: number;
  thumbType: string;
  healthStatuses: number[];
  otpId: string;
  costlyListStatus: number;
  cronRuns: number;
}

export async function runLifecycleWorkload(galley: Galley): Promise<WorkloadReport> {
  const { url } = await galley.listen('127.0.0.1:0');
  const hadEventSource = 'EventSource' in globalThis;
  const previous = (globalThis as { EventSource?: unknown }).EventSource;
  (globalThis as { EventSource?: unknown }).EventSource = EventSource;
  try {
    const pb = new PocketBase(url);
    pb.autoCancellation(false);
    await pb.collection('users').create({ email: 'u0@example.com', password: 'password123', passwordConfirm: 'password123', name: 'u0' });
    await pb.collection('users').authWithPassword('u0@example.com', 'password123');
    // realtime: an SSE stream through the SDK, one event, then unsubscribed (the SDK closes its stream)
    let realtimeEvents = 0;
    let seen: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (seen = resolve));
    await pb.collection('users').subscribe('*', () => {
      realtimeEvents++;
      seen();
    });
    await pb.collection('users').update(pb.authStore.record!.id, { name: 'u0!' });
    await arrived;
    await pb.realtime.unsubscribe();
    // a thumbnail: upload an image, fetch a thumb of it
    const png = await new Jimp({ width: 60, height: 40, color: 0x3366ffff }).getBuffer('image/png');
    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'pic.png');
    const doc = await pb.collection('docs').create(form);
    const thumb = await fetch(`${url}/api/files/docs/${doc.id}/${doc['files']}?thumb=20x20`);
    await thumb.arrayBuffer();
    // the rate limit, counted for this socket's address
    const healthStatuses: number[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${url}/api/health`);
      await res.arrayBuffer();
      healthStatuses.push(res.status);
    }
    // an OTP for an email nobody has: a decoy (its stand-in code is hashed off the answer's path)
    const { otpId } = await pb.collection('users').requestOTP('nobody@example.com');
    // a costly list: runs on the read-aside worker where one can start
    const costly = await fetch(`${url}/api/collections/users/records?filter=${encodeURIComponent(FOUR_HOP_FILTER)}`, { headers: { authorization: pb.authStore.token } });
    await costly.arrayBuffer();
    // a cron run, and the request logs written to aux.db
    let cronRuns = 0;
    galley.core.cron.add('lifecycle_probe', '0 0 1 1 *', () => void cronRuns++);
    await galley.core.cron.run('lifecycle_probe');
    await galley.core.logs.flush();
    return { realtimeEvents, thumbStatus: thumb.status, thumbType: thumb.headers.get('content-type') ?? '', healthStatuses, otpId, costlyListStatus: costly.status, cronRuns };
  } finally {
    if (hadEventSource) (globalThis as { EventSource?: unknown }).EventSource = previous;
    else delete (globalThis as { EventSource?: unknown }).EventSource;
  }
}
