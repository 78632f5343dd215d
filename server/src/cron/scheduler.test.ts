// The scheduler on an injected clock and timer: nothing here waits for real time.
import { describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { createLogger } from '../lib/log.ts';
import { createMemoryCronStateStore } from './job-state.ts';
import { createCronScheduler, type CronTimer } from './scheduler.ts';

interface Pending {
  fn: () => void;
  ms: number;
  cleared: boolean;
}

/** A clock the test moves and a timer the test fires. */
function fakeTime(start: string) {
  let now = new Date(start).getTime();
  const pending: Pending[] = [];
  const timer: CronTimer = {
    set(fn, ms) {
      const p = { fn, ms, cleared: false };
      pending.push(p);
      return p;
    },
    clear: (h) => void ((h as Pending).cleared = true),
  };
  const live = () => pending.filter((p) => !p.cleared);
  return {
    clock: () => new Date(now),
    timer,
    live,
    /** move the clock to the minute timer's due time and fire it */
    fireMinute() {
      const p = live().at(-1)!;
      now += p.ms;
      p.cleared = true;
      p.fn();
    },
    set: (iso: string) => void (now = new Date(iso).getTime()),
  };
}

function recordingLog() {
  const lines: string[] = [];
  return { log: createLogger('debug', (l) => lines.push(l)), lines };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('cron scheduler', () => {
  it('arms one timer for the next minute and runs due jobs at it, UTC', async () => {
    const t = fakeTime('2026-03-01T10:14:30.250Z');
    const { log } = recordingLog();
    const cron = await createCronScheduler({ clock: t.clock, log, timer: t.timer });
    const ran: string[] = [];
    cron.add('every', '* * * * *', () => void ran.push(`every@${t.clock().toISOString()}`));
    cron.add('quarter', '*/15 * * * *', () => void ran.push(`quarter@${t.clock().toISOString()}`));
    expect(t.live().map((p) => p.ms)).toEqual([29_750]);
    t.fireMinute();
    expect(ran).toEqual(['every@2026-03-01T10:15:00.000Z', 'quarter@2026-03-01T10:15:00.000Z']);
    expect(t.live().map((p) => p.ms)).toEqual([60_000]);
    await flush();
    t.fireMinute();
    expect(ran.slice(2)).toEqual(['every@2026-03-01T10:16:00.000Z']);
    await cron.close();
    expect(t.live()).toEqual([]);
  });

  it('a timer firing a little early never runs one minute twice', async () => {
    const t = fakeTime('2026-03-01T10:14:59.000Z');
    const cron = await createCronScheduler({ clock: t.clock, log: recordingLog().log, timer: t.timer });
    let runs = 0;
    cron.add('every', '* * * * *', () => void runs++);
    const first = t.live()[0]!;
    first.cleared = true;
    t.set('2026-03-01T10:14:59.990Z'); // 10 ms early
    first.fn();
    expect(runs).toBe(1);
    // re-armed for 10:16, not 10:15 again
    expect(t.live().map((p) => p.ms)).toEqual([60_010]);
    await cron.close();
  });

  it('a clock set back by an hour goes on from the new time', async () => {
    const t = fakeTime('2026-03-01T10:14:00Z');
    const cron = await createCronScheduler({ clock: t.clock, log: recordingLog().log, timer: t.timer });
    const ran: string[] = [];
    cron.add('every', '* * * * *', () => void ran.push(t.clock().toISOString()));
    t.fireMinute();
    await flush();
    t.set('2026-03-01T09:15:30Z');
    t.fireMinute(); // the armed timer (60 s) fires at 09:16:30
    expect(ran).toEqual(['2026-03-01T10:15:00.000Z']);
    await flush();
    expect(t.live().map((p) => p.ms)).toEqual([30_000]);
    t.fireMinute();
    expect(ran).toEqual(['2026-03-01T10:15:00.000Z', '2026-03-01T09:17:00.000Z']);
    await cron.close();
  });

  it('a run still going when the job is due again is skipped (warn), not overlapped', async () => {
    const t = fakeTime('2026-03-01T10:14:00Z');
    const { log, lines } = recordingLog();
    const cron = await createCronScheduler({ clock: t.clock, log, timer: t.timer });
    const gates: Array<ReturnType<typeof deferred>> = [];
    let started = 0;
    cron.add('slow', '* * * * *', async () => {
      started++;
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
    });
    t.fireMinute(); // 10:15 starts
    t.fireMinute(); // 10:16: still going
    expect(started).toBe(1);
    expect(lines.filter((l) => l.includes('WARN') && l.includes('cron job skipped: its previous run is still going') && l.includes('"id":"slow"'))).toHaveLength(1);
    void cron.run('slow'); // a manual run is skipped as well
    expect(started).toBe(1);
    expect(lines.filter((l) => l.includes('cron job skipped'))).toHaveLength(2);
    gates[0]!.resolve();
    await flush();
    expect(cron.list()[0]).toMatchObject({ id: 'slow', lastRun: '2026-03-01 10:15:00.000Z', lastDurationMs: 60_000, lastError: null, nextRun: '2026-03-01 10:17:00.000Z' });
    t.fireMinute(); // 10:17 runs again
    expect(started).toBe(2);
    gates[1]!.resolve();
    await cron.close();
  });

  it('close() waits for a running job, starts nothing new, and gives up after closeWaitMs', async () => {
    const t = fakeTime('2026-03-01T10:14:00Z');
    const { log, lines } = recordingLog();
    const cron = await createCronScheduler({ clock: t.clock, log, timer: t.timer, closeWaitMs: 5000 });
    const gate = deferred();
    let started = 0;
    let finished = false;
    cron.add('slow', '* * * * *', async () => {
      started++;
      await gate.promise;
      finished = true;
    });
    t.fireMinute();
    let closed = false;
    const closing = cron.close().then(() => (closed = true));
    await flush();
    expect(closed).toBe(false);
    await cron.run('slow'); // resolves at once: nothing starts after close
    expect(started).toBe(1);
    gate.resolve();
    await closing;
    expect(finished).toBe(true);
    expect(t.live()).toEqual([]);

    // a job that never ends: close() returns once its bounded wait (a timer of closeWaitMs) fires
    const t2 = fakeTime('2026-03-01T10:14:00Z');
    const stuck = await createCronScheduler({ clock: t2.clock, log, timer: t2.timer, closeWaitMs: 5000 });
    stuck.add('stuck', '* * * * *', () => new Promise<void>(() => {}));
    t2.fireMinute();
    let stuckClosed = false;
    const stuckClosing = stuck.close().then(() => (stuckClosed = true));
    await flush();
    expect(stuckClosed).toBe(false);
    expect(t2.live().map((p) => p.ms)).toEqual([5000]);
    t2.live()[0]!.fn();
    await stuckClosing;
    expect(lines.some((l) => l.includes('cron jobs still running at close') && l.includes('stuck'))).toBe(true);
  });

  it('a job that throws records lastError and keeps its schedule; the state store gets every run', async () => {
    const t = fakeTime('2026-03-01T10:14:00Z');
    const store = createMemoryCronStateStore();
    const { log, lines } = recordingLog();
    const cron = await createCronScheduler({ clock: t.clock, log, timer: t.timer, store });
    let fail = true;
    cron.add('flaky', '* * * * *', () => {
      if (fail) throw new Error('disk on fire');
    });
    t.fireMinute();
    await flush();
    expect(cron.list()[0]).toMatchObject({ lastError: 'disk on fire', lastRun: '2026-03-01 10:15:00.000Z', lastDurationMs: 0 });
    expect(lines.some((l) => l.includes('WARN') && l.includes('cron job failed') && l.includes('disk on fire'))).toBe(true);
    fail = false;
    await cron.run('flaky');
    expect(cron.list()[0]!.lastError).toBeNull();
    expect((await store.loadAll()).get('flaky')).toEqual({ lastRun: '2026-03-01 10:15:00.000Z', lastDurationMs: 0, lastError: null });
    // a new scheduler over the same store starts with the remembered state
    const again = await createCronScheduler({ clock: t.clock, log, timer: t.timer, store });
    again.add('flaky', '@hourly', () => {});
    expect(again.list()[0]).toMatchObject({ id: 'flaky', expression: '0 * * * *', lastRun: '2026-03-01 10:15:00.000Z', lastError: null, nextRun: '2026-03-01 11:00:00.000Z' });
    await Promise.all([cron.close(), again.close()]);
  });

  it("lists user jobs by id first, then __pb jobs as registered (PocketBase's order); add replaces, remove removes", async () => {
    const t = fakeTime('2026-03-01T10:14:00Z');
    const cron = await createCronScheduler({ clock: t.clock, log: recordingLog().log, timer: t.timer });
    const noop = () => {};
    cron.add('__pbDBOptimize__', '0 0 * * *', noop);
    cron.add('zeta', '@daily', noop);
    cron.add('__pbMFACleanup__', '0 * * * *', noop);
    cron.add('alpha', '*/5 * * * *', noop);
    cron.add('__pbAlpha__', '0 * * * *', noop);
    expect(cron.list().map((j) => j.id)).toEqual(['alpha', 'zeta', '__pbDBOptimize__', '__pbMFACleanup__', '__pbAlpha__']);
    cron.add('__pbDBOptimize__', '5 0 * * *', noop);
    expect(cron.list().map((j) => `${j.id} ${j.expression}`)).toEqual(['alpha */5 * * * *', 'zeta 0 0 * * *', '__pbMFACleanup__ 0 * * * *', '__pbAlpha__ 0 * * * *', '__pbDBOptimize__ 5 0 * * *']);
    cron.remove('zeta');
    cron.remove('nothing');
    expect(cron.list().map((j) => j.id)).toEqual(['alpha', '__pbMFACleanup__', '__pbAlpha__', '__pbDBOptimize__']);
    expect(() => cron.run('zeta')).toThrow(GalleyError);
    expect(() => cron.add('bad', '* * *', noop)).toThrow('Invalid cron expression "* * *"');
    expect(() => cron.add('', '* * * * *', noop)).toThrow('non-empty id');
    await cron.close();
  });

  it('two schedulers share nothing', async () => {
    const t = fakeTime('2026-03-01T10:14:00Z');
    const a = await createCronScheduler({ clock: t.clock, log: recordingLog().log, timer: t.timer });
    const b = await createCronScheduler({ clock: t.clock, log: recordingLog().log, timer: t.timer });
    a.add('only-a', '* * * * *', () => {});
    expect(b.list()).toEqual([]);
    await a.run('only-a');
    expect(() => b.run('only-a')).toThrow("Missing or invalid cron job.");
    await Promise.all([a.close(), b.close()]);
  });

  it('with claims (several instances), a due minute runs where it is claimed, an every-instance job everywhere', async () => {
    const claimed = new Set<string>();
    const claim = async (id: string, minute: number) => !claimed.has(`${id}@${minute}`) && !!claimed.add(`${id}@${minute}`);
    const ran: string[] = [];
    const instances = await Promise.all(['a', 'b'].map(async (name) => {
      const t = fakeTime('2026-03-01T10:14:30.000Z');
      const cron = await createCronScheduler({ clock: t.clock, log: recordingLog().log, timer: t.timer, claimRun: { claim, everyInstance: new Set(['sweep']) } });
      cron.add('cleanup', '* * * * *', () => void ran.push(`cleanup@${name}`));
      cron.add('sweep', '* * * * *', () => void ran.push(`sweep@${name}`));
      return { t, cron };
    }));
    for (const { t } of instances) t.fireMinute();
    await flush();
    expect(ran.filter((r) => r.startsWith('cleanup'))).toEqual(['cleanup@a']);
    expect(ran.filter((r) => r.startsWith('sweep')).sort()).toEqual(['sweep@a', 'sweep@b']);
    // the next minute is a new claim; a run by hand is never claimed
    await instances[1]!.cron.run('cleanup');
    for (const { t } of instances.reverse()) t.fireMinute();
    await flush();
    expect(ran.filter((r) => r.startsWith('cleanup'))).toEqual(['cleanup@a', 'cleanup@b', 'cleanup@b']);
    for (const { cron } of instances) await cron.close();
  });
});
