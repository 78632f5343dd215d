import { describe, expect, it } from 'vitest';
import { formatDateTime, normalizeDateTime, parseDateTime } from './datetime.ts';

describe('datetime', () => {
  it('formats the wire layout in UTC', () => {
    expect(formatDateTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('2024-01-02 03:04:05.006Z');
  });
  it.each([
    ['2024-01-02 03:04:05.006Z', '2024-01-02 03:04:05.006Z'],
    ['2024-01-02T03:04:05.006Z', '2024-01-02 03:04:05.006Z'],
    ['2024-01-02T03:04:05.123456789Z', '2024-01-02 03:04:05.123Z'],
    ['2024-01-02 03:04:05', '2024-01-02 03:04:05.000Z'],
    ['2024-01-02T03:04', '2024-01-02 03:04:00.000Z'],
    ['2024-01-02T03:04:05-01:30', '2024-01-02 04:34:05.000Z'],
    ['2024-01-02 03:04:05 +0100', '2024-01-02 02:04:05.000Z'],
    ['2024-01-02', '2024-01-02 00:00:00.000Z'],
  ])('parses %s', (input, want) => expect(normalizeDateTime(input)).toBe(want));
  it.each(['', 'soon', '2024-02-30', '2024-13-01', '2024-01-02 25:00:00', '2023-02-29 00:00:00.000Z', '2024-04-31 10:00:00.000Z', 42, null, {}])('rejects %j', (input) => {
    expect(parseDateTime(input)).toBeNull();
    expect(normalizeDateTime(input)).toBe('');
  });
  it('accepts a Date and sorts as strings', () => {
    expect(normalizeDateTime(new Date(0))).toBe('1970-01-01 00:00:00.000Z');
    expect(normalizeDateTime('2024-01-02') < normalizeDateTime('2024-01-10')).toBe(true);
  });
});
