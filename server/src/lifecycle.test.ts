import { describe, expect, it } from 'vitest';
import { createServiceList, stopServices } from './lifecycle.ts';

function recordingLog() {
  const lines: string[] = [];
  return { lines, log: { warn: (m: string) => void lines.push(`warn ${m}`), error: (m: string, d?: Record<string, unknown>) => void lines.push(`error ${m} ${JSON.stringify(d)}`) } };
}

describe('stopServices', () => {
  it('stops services last started first', async () => {
    const stopped: string[] = [];
    const list = createServiceList();
    for (const name of ['database', 'log service', 'realtime broker']) list.add({ name, stop: () => void stopped.push(name) });
    expect(list.names()).toEqual(['database', 'log service', 'realtime broker']);
    await stopServices(list.started, recordingLog().log);
    expect(stopped).toEqual(['realtime broker', 'log service', 'database']);
  });

  it('goes on past a stop that throws, and logs it by name', async () => {
    const stopped: string[] = [];
    const { lines, log } = recordingLog();
    await stopServices(
      [
        { name: 'database', stop: async () => void stopped.push('database') },
        {
          name: 'cron scheduler',
          stop: async () => {
            throw new Error('boom');
          },
        },
      ],
      log,
    );
    expect(stopped).toEqual(['database']);
    expect(lines).toEqual(['error close: cron scheduler failed to stop {"error":"boom"}']);
  });

  it('waits a bounded time for a stop that never ends, names it, and stops the rest', async () => {
    const stopped: string[] = [];
    const { lines, log } = recordingLog();
    await stopServices(
      [
        { name: 'database', stop: () => void stopped.push('database') },
        { name: 'thumbnails', stop: () => new Promise<void>(() => {}) },
      ],
      log,
      30,
    );
    expect(stopped).toEqual(['database']);
    expect(lines).toEqual(['warn close: thumbnails did not stop within 30 ms; going on without it']);
  });
});
