// One owner for an app's lifecycle (issue 10): after close() nothing Galley opened is left (timers, sockets,
// threads, watchers), whatever the workload touched; and two Galleys in one process share no state.
import { createHook } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDecoyOtpStored } from '../../src/auth/otp-decoys.ts';
import { realtimeStats } from '../../src/realtime/broker.ts';
import { callGalley } from '../helpers/test-galley.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { connectRaw } from '../realtime/sse-client.ts';
import { runLifecycleWorkload, startLifecycleGalley, type WorkloadReport } from './workload.ts';

const isBun = typeof process.versions.bun === 'string';

function expectWorkloadDidItsWork(report: WorkloadReport): void {
  expect(report.realtimeEvents).toBeGreaterThanOrEqual(1);
  expect(report.thumbStatus).toBe(200);
  expect(report.thumbType).toBe('image/png');
  expect(report.healthStatuses).toEqual([200, 429]);
  expect(report.otpId).toMatch(/^[a-z0-9]{15}$/);
  expect(report.costlyListStatus).toBe(200);
  expect(report.cronRuns).toBe(1);
}

/**
 * What can outlive close(): timers, sockets, servers, threads, watchers, child processes. (A FILEHANDLE or a
 * sync RANDOMBYTESREQUEST is only destroyed when collected, so they would show whether closed or not.)
 */
const LINGERING = new Set(['Timeout', 'TCPWRAP', 'TCPSERVERWRAP', 'WORKER', 'MESSAGEPORT', 'FSEVENTWRAP', 'STATWATCHER', 'PIPEWRAP', 'PIPESERVERWRAP', 'PROCESSWRAP', 'UDPWRAP', 'SIGNALWRAP', 'TTYWRAP']);

/** Such resources created while tracking that no destroy has ended yet, with where they were made. */
function trackResources() {
  const live = new Map<number, { type: string; stack: string }>();
  const hook = createHook({
    init(id, type) {
      if (LINGERING.has(type)) live.set(id, { type, stack: new Error().stack ?? '' });
    },
    destroy(id) {
      live.delete(id);
    },
  });
  hook.enable();
  return {
    /** those made by Galley: from a frame in server/src, or by the runtime itself (an accepted socket) */
    galleys: () =>
      [...live.values()].filter(({ stack }) => {
        const frames = stack.split('\n').slice(2).filter((l) => l.includes(' at '));
        return frames.some((f) => f.includes('/server/src/')) || frames.every((f) => f.includes('node:') && !f.includes('undici'));
      }),
    stop: () => hook.disable(),
  };
}

describe.skipIf(isBun)('close() under Node', () => {
  it('leaves no timer, socket, thread or watcher Galley opened, after a workload that touched every service', async () => {
    const before = process.getActiveResourcesInfo();
    const tracked = trackResources();
    try {
      const started = await startLifecycleGalley(createTestLogger());
      const report = await runLifecycleWorkload(started.galley);
      expectWorkloadDidItsWork(report);
      await started.galley.close();
      started.remove();
      // sockets end on the next turns of the loop after close: wait (no timing asserted) until they have
      for (let i = 0; i < 100 && tracked.galleys().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(tracked.galleys().map((r) => `${r.type}\n${r.stack}`)).toEqual([]);
      // and nothing that keeps the process alive is left that was not there before
      const after = process.getActiveResourcesInfo();
      const count = (list: string[], type: string) => list.filter((t) => t === type).length;
      for (const type of new Set(after)) expect({ type, n: count(after, type) }).toEqual({ type, n: Math.min(count(after, type), count(before, type) + (type === 'Timeout' ? 1 : 0)) });
    } finally {
      tracked.stop();
    }
  }, 60_000);
});

describe.skipIf(!isBun)('close() under Bun', () => {
  it('lets a process that ran the workload end by itself (nothing Galley opened keeps it alive)', async () => {
    // Bun's getActiveResourcesInfo() lists nothing here and async_hooks does not track, so the checks are the
    // one a user sees (`await galley.close()` and the process exits without process.exit()) and the timers
    // child.ts saw Galley set and not clear.
    const child = spawn(process.execPath, [join(import.meta.dirname, 'child.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const { report, resources, timers } = JSON.parse(out.trim().split('\n').pop()!) as { report: WorkloadReport; resources: string[]; timers: string[] };
    expectWorkloadDidItsWork(report);
    expect(resources).toEqual([]);
    // and no timer Galley set is still pending (unref'd ones would not have kept the process alive)
    expect(timers).toEqual([]);
  }, 90_000);
});

describe('two Galleys in one process', () => {
  let a: Awaited<ReturnType<typeof startLifecycleGalley>>;
  let b: Awaited<ReturnType<typeof startLifecycleGalley>>;
  beforeAll(async () => {
    [a, b] = [await startLifecycleGalley(createTestLogger()), await startLifecycleGalley(createTestLogger())];
  });
  afterAll(async () => {
    for (const s of [a, b]) {
      await s?.galley.close();
      s?.remove();
    }
  });

  it('count rate limits apart: a hit on one does not count on the other', async () => {
    const ip = '10.9.0.1';
    expect((await callGalley(a.galley, 'GET', '/api/health', { ip })).status).toBe(200);
    expect((await callGalley(a.galley, 'GET', '/api/health', { ip })).status).toBe(429);
    expect((await callGalley(b.galley, 'GET', '/api/health', { ip })).status).toBe(200);
  });

  it('have their own realtime clients', async () => {
    const client = await connectRaw(a.galley, { ip: '10.9.0.2' });
    try {
      expect(realtimeStats(a.galley.core).clients).toBe(1);
      expect(realtimeStats(b.galley.core).clients).toBe(0);
      expect(a.galley.core.realtime).not.toBe(b.galley.core.realtime);
    } finally {
      await client.close();
    }
  });

  it('keep OTP decoys apart: an otpId one handed out is unknown to the other', async () => {
    const res = await callGalley(a.galley, 'POST', '/api/collections/users/request-otp', { body: { email: 'ghost@example.com' }, ip: '10.9.0.3' });
    expect(res.status).toBe(200);
    const otpId = res.json.otpId as string;
    for (let i = 0; i < 200 && !isDecoyOtpStored(a.galley.core, otpId); i++) await new Promise((r) => setTimeout(r, 10));
    expect(isDecoyOtpStored(a.galley.core, otpId)).toBe(true);
    expect(b.galley.core.otpDecoys.has(otpId)).toBe(false);
  });

  it('hold every per-app table on their own core', () => {
    const keys = ['rateLimiter', 'otpAttempts', 'otpDecoys', 'resendThrottle', 'oauth2', 'thumbnails', 'realtime', 'schemaService', 'signInThrottle'] as const;
    for (const key of keys) expect({ key, shared: a.galley.core[key] === b.galley.core[key] }).toEqual({ key, shared: false });
  });
});
