/**
 * Coercions of raw body values, matching the Go `cast` package PocketBase's PrepareValue uses,
 * so a JSON body and a multipart body end up with the same values.
 */

/** wire: cast.ToString — scalars become text, objects and arrays become "". */
export function castToString(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'boolean') return raw ? 'true' : 'false';
  if (typeof raw === 'number') return formatPlainNumber(raw);
  if (typeof raw === 'bigint') return raw.toString();
  return '';
}

/** Go's FormatFloat(f, 'f', -1, 64): never an exponent. */
function formatPlainNumber(n: number): string {
  const s = String(n);
  if (!/e/i.test(s) || !Number.isFinite(n)) return s === 'Infinity' ? '+Inf' : s === '-Infinity' ? '-Inf' : s;
  if (Number.isInteger(n)) return BigInt(n).toString();
  return n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

const GO_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GO_SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;

/** wire: cast.ToFloat64 — unparseable text is 0; "NaN"/"Inf" parse (and then fail validation). */
export function castToNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw !== 'string') return 0;
  if (GO_FLOAT.test(raw)) return Number(raw);
  if (GO_SPECIAL.test(raw)) {
    if (/nan/i.test(raw)) return Number.NaN;
    return raw.startsWith('-') ? -Infinity : Infinity;
  }
  return 0;
}

const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/** wire: cast.ToBool — Go's ParseBool words, non-zero numbers. */
export function castToBool(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') return raw !== 0 && !Number.isNaN(raw);
  if (typeof raw === 'string') return TRUE_WORDS.has(raw);
  return false;
}

/**
 * wire: list.ToUniqueStringSlice — a string holding `[` is tried as a JSON array of strings,
 * other strings are one item; empty items and duplicates are dropped (first occurrence kept).
 */
export function castToUniqueStrings(raw: unknown): string[] {
  let items: string[] = [];
  if (Array.isArray(raw)) items = raw.map(castToString);
  else if (typeof raw === 'string') items = raw === '' ? [] : splitJsonArrayString(raw);
  else if (raw !== null && raw !== undefined && typeof raw !== 'object') items = [castToString(raw)];
  return [...new Set(items.filter((s) => s !== ''))];
}

function splitJsonArrayString(s: string): string[] {
  if (!s.includes('[')) return [s];
  try {
    const parsed: unknown = JSON.parse(s);
    if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string')) return parsed as string[];
  } catch {
    // not JSON: the string is one item
  }
  return [s];
}
