import { describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { parseCronExpression } from './cron-expression.ts';

const at = (iso: string) => new Date(iso);
/** the next `n` due minutes after `from`, as ISO strings */
function nextRuns(expression: string, from: string, n = 3): string[] {
  const schedule = parseCronExpression(expression);
  const out: string[] = [];
  let t: Date | null = at(from);
  for (let i = 0; i < n && t; i++) {
    t = schedule.nextAfter(t);
    if (t) out.push(t.toISOString().replace(':00.000Z', 'Z'));
  }
  return out;
}

describe('parseCronExpression: next runs (UTC)', () => {
  const table: Array<[string, string, string[]]> = [
    ['* * * * *', '2026-03-01T10:15:30Z', ['2026-03-01T10:16Z', '2026-03-01T10:17Z', '2026-03-01T10:18Z']],
    ['* * * * *', '2026-03-01T10:15:00Z', ['2026-03-01T10:16Z', '2026-03-01T10:17Z', '2026-03-01T10:18Z']],
    ['*/15 * * * *', '2026-03-01T10:14:59Z', ['2026-03-01T10:15Z', '2026-03-01T10:30Z', '2026-03-01T10:45Z']],
    ['5-20/5 * * * *', '2026-03-01T10:16:00Z', ['2026-03-01T10:20Z', '2026-03-01T11:05Z', '2026-03-01T11:10Z']],
    ['0,30 8-9 * * *', '2026-03-01T08:10:00Z', ['2026-03-01T08:30Z', '2026-03-01T09:00Z', '2026-03-01T09:30Z']],
    ['1,2,10-12/2 0 * * *', '2026-03-01T00:00:00Z', ['2026-03-01T00:01Z', '2026-03-01T00:02Z', '2026-03-01T00:10Z']],
    ['2 * * * *', '2026-12-31T23:30:00Z', ['2027-01-01T00:02Z', '2027-01-01T01:02Z', '2027-01-01T02:02Z']],
    // month ends: the 31st only in months that have one; Feb 29 only in leap years
    ['0 0 31 * *', '2026-01-31T12:00:00Z', ['2026-03-31T00:00Z', '2026-05-31T00:00Z', '2026-07-31T00:00Z']],
    ['0 0 29 2 *', '2026-01-01T00:00:00Z', ['2028-02-29T00:00Z', '2032-02-29T00:00Z']],
    ['0 0 30 2 *', '2026-01-01T00:00:00Z', []],
    ['0 12 28-31 2 *', '2027-02-27T00:00:00Z', ['2027-02-28T12:00Z', '2028-02-28T12:00Z', '2028-02-29T12:00Z']],
    // day of week: 0 and 7 are Sunday (2026-03-01 is a Sunday)
    ['0 9 * * 1-5', '2026-02-27T10:00:00Z', ['2026-03-02T09:00Z', '2026-03-03T09:00Z', '2026-03-04T09:00Z']],
    ['0 9 * * 7', '2026-02-27T00:00:00Z', ['2026-03-01T09:00Z', '2026-03-08T09:00Z', '2026-03-15T09:00Z']],
    ['0 9 * * 0', '2026-02-27T00:00:00Z', ['2026-03-01T09:00Z', '2026-03-08T09:00Z', '2026-03-15T09:00Z']],
    // both day fields restricted: either matches (standard cron); one of them * or */n: both must
    ['0 0 13 * 5', '2026-03-01T00:00:00Z', ['2026-03-06T00:00Z', '2026-03-13T00:00Z', '2026-03-20T00:00Z']],
    ['0 0 1 * 1', '2026-03-01T00:00:00Z', ['2026-03-02T00:00Z', '2026-03-09T00:00Z', '2026-03-16T00:00Z']],
    ['0 0 */10 * 1', '2026-03-01T00:00:00Z', ['2026-05-11T00:00Z', '2026-06-01T00:00Z', '2026-08-31T00:00Z']],
    ['0 0 * * 1', '2026-03-01T00:00:00Z', ['2026-03-02T00:00Z', '2026-03-09T00:00Z', '2026-03-16T00:00Z']],
    // macros
    ['@yearly', '2026-03-01T00:00:00Z', ['2027-01-01T00:00Z', '2028-01-01T00:00Z', '2029-01-01T00:00Z']],
    ['@annually', '2026-03-01T00:00:00Z', ['2027-01-01T00:00Z']],
    ['@monthly', '2026-03-01T00:00:00Z', ['2026-04-01T00:00Z', '2026-05-01T00:00Z']],
    ['@weekly', '2026-03-01T00:00:00Z', ['2026-03-08T00:00Z', '2026-03-15T00:00Z']],
    ['@daily', '2026-03-01T00:00:00Z', ['2026-03-02T00:00Z', '2026-03-03T00:00Z']],
    ['@midnight', '2026-03-01T23:59:59Z', ['2026-03-02T00:00Z']],
    ['@hourly', '2026-03-01T23:59:59Z', ['2026-03-02T00:00Z', '2026-03-02T01:00Z']],
    // PocketBase's built-in schedules
    ['0 */6 * * *', '2026-03-01T05:00:00Z', ['2026-03-01T06:00Z', '2026-03-01T12:00Z', '2026-03-01T18:00Z']],
  ];
  it.each(table)('%s after %s', (expression, from, expected) => {
    expect(nextRuns(expression, from, expected.length || 1)).toEqual(expected);
  });

  it('isDue is nextAfter seen from the minute before', () => {
    const s = parseCronExpression('0 0 13 * 5');
    expect(s.isDue(at('2026-03-13T00:00:42Z'))).toBe(true); // a Friday the 13th
    expect(s.isDue(at('2026-03-06T00:00:00Z'))).toBe(true); // a Friday
    expect(s.isDue(at('2026-03-07T00:00:00Z'))).toBe(false);
    expect(s.isDue(at('2026-03-13T00:01:00Z'))).toBe(false);
  });

  it('answers the expression with a macro replaced, as PocketBase does; extra spaces folded', () => {
    expect(parseCronExpression('@daily').expression).toBe('0 0 * * *');
    expect(parseCronExpression('  0   */6 * * * ').expression).toBe('0 */6 * * *');
  });
});

describe('parseCronExpression: invalid expressions are a 400 naming the fault', () => {
  const table: Array<[string, string]> = [
    ['', 'expected 5 fields'],
    ['* * * *', 'expected 5 fields'],
    ['* * * * * *', 'expected 5 fields'],
    ['@every 5m', 'expected 5 fields'],
    ['@Daily', 'expected 5 fields'],
    ['60 * * * *', 'minute: 60 is not between 0 and 59'],
    ['* 24 * * *', 'hour: 24 is not between 0 and 23'],
    ['* * 0 * *', 'day of month: 0 is not between 1 and 31'],
    ['* * 32 * *', 'day of month: 32 is not between 1 and 31'],
    ['* * * 13 *', 'month: 13 is not between 1 and 12'],
    ['* * * * 8', 'day of week: 8 is not between 0 and 7'],
    ['* * * JAN *', 'month: "JAN" is not a number'],
    ['-1 * * * *', 'minute: "" is not a number'],
    ['*/0 * * * *', 'minute step: 0 is not between 1 and 59'],
    ['5/10 * * * *', 'minute: a step needs * or a range before it'],
    ['10-5 * * * *', 'minute: range 10-5 ends before it starts'],
    ['1-2-3 * * * *', 'minute: "1-2-3" is not a range a-b'],
    ['*/2/3 * * * *', 'has more than one "/"'],
    ['1,,2 * * * *', 'minute: "" is not a number'],
    ['L * * * *', 'minute: "L" is not a number'],
  ];
  it.each(table)('%j', (expression, message) => {
    let caught: unknown;
    try {
      parseCronExpression(expression);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GalleyError);
    expect((caught as GalleyError).kind).toBe('invalid');
    expect((caught as GalleyError).message).toContain(`Invalid cron expression "${expression}": `);
    expect((caught as GalleyError).message).toContain(message);
  });
});
