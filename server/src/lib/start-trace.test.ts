import { describe, expect, it } from 'vitest';
import { createStartTrace } from './start-trace.ts';

const LINE = /^start: (.+) (\d+\.\d) ms \(cpu (\d+\.\d) ms\)\n$/;

function capture(): { lines: string[]; write: (line: string) => void } {
  const lines: string[] = [];
  return { lines, write: (line) => void lines.push(line) };
}

describe('GALLEY_START_TRACE', () => {
  it('prints nothing when unset, and a phase still returns its value', async () => {
    const { lines, write } = capture();
    const trace = createStartTrace({}, write);
    expect(trace.time('schema', () => 42)).toBe(42);
    expect(await trace.time('db', async () => 'open')).toBe('open');
    trace.mark('listen');
    expect(lines).toEqual([]);
  });

  it('prints one line per phase with wall and CPU ms when set to 1, after async phases settle', async () => {
    const { lines, write } = capture();
    const trace = createStartTrace({ GALLEY_START_TRACE: '1' }, write);
    trace.mark('modules');
    expect(trace.time('schema', () => 'ok')).toBe('ok');
    const pending = trace.time('migrations', () => new Promise<string>((resolve) => setTimeout(() => resolve('done'), 5)));
    expect(lines).toHaveLength(2);
    expect(await pending).toBe('done');
    expect(lines.map((l) => LINE.exec(l)?.[1])).toEqual(['modules', 'schema', 'migrations']);
  });

  it('still prints a phase that throws, and passes the error on', async () => {
    const { lines, write } = capture();
    const trace = createStartTrace({ GALLEY_START_TRACE: '1' }, write);
    await expect(trace.time('settings', async () => Promise.reject(new Error('bad settings')))).rejects.toThrow('bad settings');
    expect(LINE.exec(lines[0]!)?.[1]).toBe('settings');
  });
});
