/**
 * Cron expressions: 5 fields (minute hour day-of-month month day-of-week) of numbers, `*`, ranges `a-b`, steps
 * `a-b/n` (also after `*`), lists `a,b-c/n`, or one of PocketBase's macros; evaluated in UTC, to the minute.
 * Hand-written rather than a library: the grammar is PocketBase's tools/cron/schedule.go (a library such as
 * croner also takes seconds, years, L/W/#, names, which PocketBase refuses), and the search is 40 lines.
 * Standard cron beyond PocketBase: when both day fields are restricted, a day matching either runs (Vixie
 * cron, POSIX); PocketBase needs both. 7 is also Sunday.
 */
import { GalleyError } from '../errors.ts';

export interface CronSchedule {
  /** wire: the expression with a macro replaced by its 5 fields, as PocketBase's Job.Expression() answers. */
  readonly expression: string;
  /** Whether the minute holding `at` is due (UTC). */
  isDue(at: Date): boolean;
  /** The first due minute strictly after the minute holding `after`, or null when none comes in 8 years. */
  nextAfter(after: Date): Date | null;
}

/** wire: PocketBase's macros. */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

const MINUTE_MS = 60_000;
/** a Feb 29 that falls on a given weekday comes within 28 years; a Feb 29 alone within 8 */
const SEARCH_YEARS = 8;

function readNumber(text: string, field: string, min: number, max: number): number {
  if (!/^\d{1,4}$/.test(text)) throw new Error(`${field}: "${text}" is not a number`);
  const n = Number(text);
  if (n < min || n > max) throw new Error(`${field}: ${n} is not between ${min} and ${max}`);
  return n;
}

/** The values one field allows. */
function parseCronField(text: string, field: (typeof FIELDS)[number]): Set<number> {
  const { name, min, max } = field;
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) throw new Error(`${name}: "${part}" has more than one "/"`);
    const step = stepText === undefined ? 1 : readNumber(stepText, `${name} step`, 1, max);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else {
      const bounds = range!.split('-');
      if (bounds.length > 2) throw new Error(`${name}: "${range}" is not a range a-b`);
      from = readNumber(bounds[0]!, name, min, max);
      to = bounds.length === 2 ? readNumber(bounds[1]!, name, min, max) : from;
      if (to < from) throw new Error(`${name}: range ${from}-${to} ends before it starts`);
      // wire: PocketBase (and Vixie cron) take a step only after * or a range
      if (bounds.length === 1 && stepText !== undefined) throw new Error(`${name}: a step needs * or a range before it ("*/${stepText}")`);
    }
    for (let v = from; v <= to; v += step) values.add(name === 'day of week' && v === 7 ? 0 : v);
  }
  return values;
}

/** Parse an expression or throw a 400 naming the field at fault. */
export function parseCronExpression(raw: string): CronSchedule {
  const trimmed = String(raw).trim();
  const expression = MACROS[trimmed] ?? trimmed;
  const parts = expression.split(/\s+/);
  let sets: Set<number>[];
  try {
    if (parts.length !== 5 || expression === '') {
      throw new Error(`expected 5 fields (minute hour day-of-month month day-of-week) or a macro (${Object.keys(MACROS).join(' ')})`);
    }
    sets = parts.map((p, i) => parseCronField(p, FIELDS[i]!));
  } catch (err) {
    throw new GalleyError('invalid', `Invalid cron expression "${String(raw).slice(0, 100)}": ${(err as Error).message}.`);
  }
  const [minutes, hours, days, months, weekdays] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  // Vixie cron: a day field starting with * does not restrict; both restricted → either matches
  const either = !parts[2]!.startsWith('*') && !parts[4]!.startsWith('*');
  const dayMatches = (d: Date): boolean =>
    either ? days.has(d.getUTCDate()) || weekdays.has(d.getUTCDay()) : days.has(d.getUTCDate()) && weekdays.has(d.getUTCDay());
  const isDue = (d: Date): boolean =>
    minutes.has(d.getUTCMinutes()) && hours.has(d.getUTCHours()) && months.has(d.getUTCMonth() + 1) && dayMatches(d);

  return {
    expression: parts.join(' '),
    isDue,
    nextAfter(after) {
      const t = new Date(Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
      const limit = Date.UTC(t.getUTCFullYear() + SEARCH_YEARS, 0, 1);
      while (t.getTime() < limit) {
        if (!months.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!dayMatches(t)) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!hours.has(t.getUTCHours())) t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
        else if (!minutes.has(t.getUTCMinutes())) t.setTime(t.getTime() + MINUTE_MS);
        else return t;
      }
      return null;
    },
  };
}
