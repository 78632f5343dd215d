/**
 * Datetime macros (`@now`, `@todayStart`, …): UTC, as `YYYY-MM-DD HH:MM:SS.sssZ` strings, or numbers
 * for the calendar parts. wire: the names and values of PocketBase's identifier macros.
 */
import { formatDateTime } from '../lib/datetime.ts';

const at = (y: number, m: number, d: number, h: number, min: number, s: number, ms: number): string =>
  formatDateTime(new Date(Date.UTC(y, m, d, h, min, s, ms)));

type Macro = (now: Date) => string | number;

const MACROS: Readonly<Record<string, Macro>> = {
  '@now': (n) => formatDateTime(n),
  '@yesterday': (n) => at(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate() - 1, n.getUTCHours(), n.getUTCMinutes(), n.getUTCSeconds(), n.getUTCMilliseconds()),
  '@tomorrow': (n) => at(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate() + 1, n.getUTCHours(), n.getUTCMinutes(), n.getUTCSeconds(), n.getUTCMilliseconds()),
  '@todayStart': (n) => at(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate(), 0, 0, 0, 0),
  '@todayEnd': (n) => at(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate(), 23, 59, 59, 999),
  '@monthStart': (n) => at(n.getUTCFullYear(), n.getUTCMonth(), 1, 0, 0, 0, 0),
  // day 0 of the next month is the last day of this one
  '@monthEnd': (n) => at(n.getUTCFullYear(), n.getUTCMonth() + 1, 0, 23, 59, 59, 999),
  '@yearStart': (n) => at(n.getUTCFullYear(), 0, 1, 0, 0, 0, 0),
  '@yearEnd': (n) => at(n.getUTCFullYear(), 11, 31, 23, 59, 59, 999),
  '@second': (n) => n.getUTCSeconds(),
  '@minute': (n) => n.getUTCMinutes(),
  '@hour': (n) => n.getUTCHours(),
  '@day': (n) => n.getUTCDate(),
  '@month': (n) => n.getUTCMonth() + 1,
  '@weekday': (n) => n.getUTCDay(),
  '@year': (n) => n.getUTCFullYear(),
};

/** The macro's value at `now`, or undefined when `name` is not a macro (names are case-sensitive). */
export function resolveMacro(name: string, now: Date): string | number | undefined {
  return Object.hasOwn(MACROS, name) ? MACROS[name]!(now) : undefined;
}
