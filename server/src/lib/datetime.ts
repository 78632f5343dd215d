/**
 * Datetimes as PocketBase writes them: `YYYY-MM-DD HH:MM:SS.sssZ`, UTC, millisecond precision.
 * Stored in that layout too, so SQL compares them as plain strings.
 */

/** wire: `2006-01-02 15:04:05.000Z` (Go layout), always UTC. */
export function formatDateTime(d: Date): string {
  return d.toISOString().replace('T', ' ');
}

const CANONICAL = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

function isCanonical(raw: string): boolean {
  if (!CANONICAL.test(raw)) return false;
  const [y, m, d] = [Number(raw.slice(0, 4)), Number(raw.slice(5, 7)), Number(raw.slice(8, 10))];
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate(); // e.g. 2023-02-30 is not a date
}

// date, optional time (seconds and fraction optional), optional zone; `T` or a space between date and time
const LAYOUT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * Parse the wire layout, RFC 3339 / ISO 8601 (with or without `T`), or a bare date; null when it is none of them.
 * wire: a time without a zone is UTC (Go's time.Parse does the same).
 */
export function parseDateTime(s: unknown): Date | null {
  if (s instanceof Date) return Number.isNaN(s.getTime()) ? null : new Date(s.getTime());
  if (typeof s !== 'string' || s === '') return null;
  const m = LAYOUT.exec(s.trim());
  if (!m) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((v) =>
    v === undefined ? undefined : Number(v),
  ) as number[];
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0')); // truncated, as Go formats
  if (month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour > 23 || minute > 59 || second > 59) return null;
  let time = Date.UTC(year!, month! - 1, day!, hour, minute, second, millis);
  const check = new Date(time);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month! - 1) return null; // e.g. 2023-02-30
  if (m[9] !== undefined) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60_000;
    time -= m[9] === '+' ? offset : -offset;
  }
  const out = new Date(time);
  return Number.isNaN(out.getTime()) ? null : out;
}

/** Any accepted datetime input → the wire string; anything unparseable → "" (wire: PB's zero DateTime). */
export function normalizeDateTime(raw: unknown): string {
  // Already in the wire layout (every stored and server-stamped value): nothing to re-parse.
  if (typeof raw === 'string' && isCanonical(raw)) return raw;
  const d = parseDateTime(raw);
  return d ? formatDateTime(d) : '';
}
