// Cron jobs through the compiled binary and the official SDK: PocketBase's built-in jobs are listed, a run by hand
// lands in lastRun/lastError, and those facts are still there after a restart on the same data dir.
import { rmSync } from 'node:fs';
import PocketBase from 'pocketbase';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, runBinary, startBinary } from './helpers/binary.ts';

const STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/;
const dir = makeTempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function signedIn(url: string): Promise<PocketBase> {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  await pb.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
  return pb;
}

type Job = Record<string, unknown>;
const jobOf = async (pb: PocketBase, id: string) => ((await pb.crons.getFullList()) as unknown as Job[]).find((j) => j['id'] === id)!;

describe('cron jobs (binary)', () => {
  it('lists the built-in jobs, runs two by hand, and keeps their last run across a restart', async () => {
    expect((await runBinary(['superuser', 'upsert', 'root@example.com', 'rootpass123', '--dir', dir])).code).toBe(0);
    const first = await startBinary({ dir });
    let before: Job[];
    try {
      const pb = await signedIn(first.url);
      const jobs = (await pb.crons.getFullList()) as unknown as Job[];
      expect(jobs.map((j) => [j['id'], j['expression']])).toEqual([
        ['__pbDBOptimize__', '0 0 * * *'],
        ['__pbMFACleanup__', '0 * * * *'],
        ['__pbOTPCleanup__', '0 * * * *'],
        ['__pbLogsCleanup__', '0 */6 * * *'],
        ['__pbRateLimitersCleanup__', '2 * * * *'],
      ]);
      expect(jobs.every((j) => j['lastRun'] === null && STAMP.test(String(j['nextRun'])))).toBe(true);
      for (const id of ['__pbDBOptimize__', '__pbOTPCleanup__']) {
        expect(await pb.crons.run(id)).toBe(true);
        for (let i = 0; i < 300 && (await jobOf(pb, id))['lastRun'] === null; i++) await new Promise((r) => setTimeout(r, 10));
        const job = await jobOf(pb, id);
        expect(job['lastRun']).toMatch(STAMP);
        expect(job['lastError']).toBeNull();
        console.log(`${id}: ${String(job['lastDurationMs'])} ms through the binary`);
      }
      before = (await pb.crons.getFullList()) as unknown as Job[];
    } finally {
      const stopped = await first.stop();
      expect(stopped.code).toBe(0);
    }
    const second = await startBinary({ dir });
    try {
      const pb = await signedIn(second.url);
      const after = (await pb.crons.getFullList()) as unknown as Job[];
      expect(after.map(({ nextRun: _n, ...rest }) => rest)).toEqual(before.map(({ nextRun: _n, ...rest }) => rest));
    } finally {
      expect((await second.stop()).code).toBe(0);
    }
  });
});
