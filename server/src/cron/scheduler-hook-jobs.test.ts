// A hooks file's jobs on the scheduler: per load of the file, the last load's run; no real time waited for.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/log.ts';
import { createCronScheduler, type CronTimer } from './scheduler.ts';

const noTimer: CronTimer = { set: () => ({}), clear: () => {} };
const noop = () => {};

async function scheduler() {
  const cron = await createCronScheduler({ clock: () => new Date('2026-03-01T10:14:30Z'), log: createLogger('error', () => {}), timer: noTimer });
  cron.add('__pbDBOptimize__', '0 0 * * *', noop);
  return cron;
}

describe('cron scheduler: hooks file jobs', () => {
  it('lists the last load’s jobs before the built-ins, runs them by id, and a new load replaces them all', async () => {
    const cron = await scheduler();
    const ran: string[] = [];
    const first = {};
    cron.setHookJobs(first, [
      { id: 'nightly', expression: '0 3 * * *', fn: () => void ran.push('nightly@1') },
      { id: 'hourly', expression: '@hourly', fn: noop },
    ]);
    expect(cron.list().map((j) => j.id)).toEqual(['hourly', 'nightly', '__pbDBOptimize__']);
    await cron.run('nightly');
    expect(ran).toEqual(['nightly@1']);
    expect(cron.list().find((j) => j.id === 'nightly')).toMatchObject({ expression: '0 3 * * *', lastError: null, nextRun: '2026-03-02 03:00:00.000Z' });

    const second = {};
    cron.setHookJobs(second, [{ id: 'nightly', expression: '0 4 * * *', fn: () => void ran.push('nightly@2') }]);
    expect(cron.list().map((j) => `${j.id} ${j.expression}`)).toEqual(['nightly 0 4 * * *', '__pbDBOptimize__ 0 0 * * *']);
    // the run state is kept by id across loads
    expect(cron.list()[0]!.lastRun).not.toBeNull();
    await cron.run('nightly');
    expect(ran).toEqual(['nightly@1', 'nightly@2']);
    expect(() => cron.run('hourly')).toThrow('Missing or invalid cron job.');

    // the replaced load is dropped with its registry: nothing changes; a failed newer load dropped: the previous one runs again
    cron.dropHookJobs(first);
    expect(cron.list().map((j) => j.id)).toEqual(['nightly', '__pbDBOptimize__']);
    const failed = {};
    cron.setHookJobs(failed, [{ id: 'other', expression: '* * * * *', fn: noop }]);
    cron.dropHookJobs(failed);
    expect(cron.list().map((j) => j.id)).toEqual(['nightly', '__pbDBOptimize__']);
    await cron.close();
  });

  it.each([
    [[{ id: 'nightly', expression: '0 3 * *', fn: noop }], 'cron job "nightly": Invalid cron expression'],
    [[{ id: '__pbDBOptimize__', expression: '* * * * *', fn: noop }], 'cron job "__pbDBOptimize__": the id is a built-in job\'s'],
    [[{ id: '__pbMine', expression: '* * * * *', fn: noop }], 'the id is a built-in job\'s'],
    [[{ id: 'a', expression: '* * * * *', fn: noop }, { id: 'a', expression: '* * * * *', fn: noop }], 'cron job "a" is added twice'],
    [[{ id: '', expression: '* * * * *', fn: noop }], 'non-empty id'],
  ])('refuses %j with a message naming the job, changing nothing', async (jobs, message) => {
    const cron = await scheduler();
    const owner = {};
    cron.setHookJobs(owner, [{ id: 'kept', expression: '* * * * *', fn: noop }]);
    expect(() => cron.setHookJobs(owner, jobs)).toThrow(message);
    expect(cron.list().map((j) => j.id)).toEqual(['kept', '__pbDBOptimize__']);
    await cron.close();
  });
});
