// The cron state store on a real SQLite file (aux.db's opener), reopened as a restart would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openAuxDatabase } from '../db/open-aux.ts';
import { createCronStateStore } from './job-state.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('cron state store over SQLite', () => {
  it('keeps the last run of each job across a reopen; a later run replaces it; long errors are cut', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'galley-cron-state-'));
    dirs.push(dir);
    const file = join(dir, 'aux.db');
    const first = openAuxDatabase({ file, busyTimeoutMs: 1000 });
    const store = createCronStateStore(first);
    expect(await store.loadAll()).toEqual(new Map());
    store.save('__pbOTPCleanup__', { lastRun: '2026-03-01 10:00:00.000Z', lastDurationMs: 12.4, lastError: null });
    store.save('report', { lastRun: '2026-03-01 10:00:00.000Z', lastDurationMs: 3, lastError: 'x'.repeat(5000) });
    store.save('report', { lastRun: '2026-03-01 11:00:00.000Z', lastDurationMs: 4, lastError: 'smtp down' });
    await first.close();

    const second = openAuxDatabase({ file, busyTimeoutMs: 1000 });
    const loaded = await createCronStateStore(second).loadAll();
    expect(Object.fromEntries(loaded)).toEqual({
      __pbOTPCleanup__: { lastRun: '2026-03-01 10:00:00.000Z', lastDurationMs: 12, lastError: null },
      report: { lastRun: '2026-03-01 11:00:00.000Z', lastDurationMs: 4, lastError: 'smtp down' },
    });
    createCronStateStore(second).save('report', { lastRun: '2026-03-01 12:00:00.000Z', lastDurationMs: 1, lastError: 'y'.repeat(5000) });
    expect((await createCronStateStore(second).loadAll()).get('report')!.lastError).toHaveLength(2000);
    await second.close();
  });
});
