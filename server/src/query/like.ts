/**
 * The `~` operator's literal handling. wire: PocketBase wraps a literal in `%…%` and escapes `\`, `%`
 * and `_` in it, unless the literal already holds an unescaped `%` (then it is the user's own pattern).
 */

/** Go's cast.ToString for the scalars a filter binds. */
export function formatLikeValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    const s = String(value);
    if (!/e/i.test(s) || !Number.isFinite(value)) return s;
    // Go's FormatFloat(f, 'f', -1, 64) never writes an exponent
    return Number.isInteger(value) ? BigInt(value).toString() : value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
  }
  return String(value);
}

/** True when `ch` occurs without a backslash before it (a doubled backslash escapes nothing). */
export function containsUnescaped(text: string, ch: string): boolean {
  let prev = '';
  for (const c of text) {
    if (c === ch && prev !== '\\') return true;
    prev = c === '\\' && prev === '\\' ? '' : c;
  }
  return false;
}

/**
 * Put a backslash before each `\`, `%` and `_` that has none.
 * wire: PocketBase scans from the end and does not look at the character just before an escaped one,
 * so of two adjacent wildcards only the later is escaped (`a__` → `a_\_`). Reproduced on purpose.
 */
export function escapeLikeWildcards(text: string): string {
  const chars = [...text];
  const out: string[] = [];
  let pending = false;
  for (let i = chars.length - 1; i >= 0; i--) {
    const c = chars[i]!;
    if (pending) {
      if (c !== '\\') out.push('\\');
      pending = false;
    } else if (c === '\\' || c === '%' || c === '_') pending = true;
    out.push(c);
    if (i === 0 && pending) out.push('\\');
  }
  return out.reverse().join('');
}

/** The pattern a `~` literal becomes. */
export function wrapLikeValue(value: unknown): string {
  const text = formatLikeValue(value);
  return containsUnescaped(text, '%') ? text : `%${escapeLikeWildcards(text)}%`;
}
