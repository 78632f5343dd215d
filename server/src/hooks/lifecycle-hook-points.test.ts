import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/log.ts';
import { createHooksRegistry } from './hooks-registry.ts';
import { triggerTerminate } from './lifecycle-hook-points.ts';

function recordingLog() {
  const lines: string[] = [];
  return { log: createLogger('debug', (l) => lines.push(l)), lines };
}

describe('onTerminate trigger', () => {
  it('is bounded: a hook that never ends is left behind with a warning', async () => {
    const registry = createHooksRegistry();
    registry.chain('onTerminate').bind(() => new Promise(() => {}));
    const { log, lines } = recordingLog();
    await triggerTerminate(registry, log, 20);
    expect(lines.join('\n')).toContain('onTerminate hooks still running after 20 ms; not waited for');
  });

  it('logs a throw instead of failing the close, and runs the chain in order', async () => {
    const registry = createHooksRegistry();
    const ran: string[] = [];
    registry.chain('onTerminate').bind(async (e) => {
      ran.push(`first isRestart=${String(e.isRestart)}`);
      await e.next();
    });
    registry.chain('onTerminate').bind(() => {
      ran.push('second');
      throw new Error('cleanup failed');
    });
    const { log, lines } = recordingLog();
    await triggerTerminate(registry, log);
    expect(ran).toEqual(['first isRestart=false', 'second']);
    expect(lines.join('\n')).toContain('hook onTerminate failed');
    expect(lines.join('\n')).toContain('cleanup failed');
  });

  it('does nothing without a handler', async () => {
    const { log, lines } = recordingLog();
    await triggerTerminate(createHooksRegistry(), log, 1);
    expect(lines).toEqual([]);
  });
});
