import { describe, expect, it } from 'vitest';
import { resolveMacro } from './macros.ts';

describe('datetime macros', () => {
  const now = new Date('2024-02-29T23:04:05.678Z'); // a Thursday in a leap February

  it.each([
    ['@now', '2024-02-29 23:04:05.678Z'],
    ['@yesterday', '2024-02-28 23:04:05.678Z'],
    ['@tomorrow', '2024-03-01 23:04:05.678Z'],
    ['@todayStart', '2024-02-29 00:00:00.000Z'],
    ['@todayEnd', '2024-02-29 23:59:59.999Z'],
    ['@monthStart', '2024-02-01 00:00:00.000Z'],
    ['@monthEnd', '2024-02-29 23:59:59.999Z'],
    ['@yearStart', '2024-01-01 00:00:00.000Z'],
    ['@yearEnd', '2024-12-31 23:59:59.999Z'],
    ['@second', 5],
    ['@minute', 4],
    ['@hour', 23],
    ['@day', 29],
    ['@month', 2],
    ['@weekday', 4],
    ['@year', 2024],
  ])('%s', (name, value) => {
    expect(resolveMacro(name, now)).toBe(value);
  });

  it('knows only its own names, case-sensitively', () => {
    expect(resolveMacro('@NOW', now)).toBeUndefined();
    expect(resolveMacro('@request', now)).toBeUndefined();
    expect(resolveMacro('constructor', now)).toBeUndefined();
  });
});
