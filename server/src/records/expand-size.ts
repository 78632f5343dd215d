/**
 * How many records a response's `expand` nests once written as JSON. The expanded records are shared
 * objects (one per record and level), so counting them is cheap, but JSON repeats a shared record under
 * every parent: `friends.friends.friends…` six levels deep is a million copies per listed record.
 */
import { GalleyError } from '../errors.ts';
import { MAX_EXPANDED_RECORDS } from '../query/limits.ts';

/** Nested records under `items`' expand, counted as JSON writes them; stops counting past `limit`. */
export function countExpandedRecords(items: readonly Record<string, unknown>[], limit = MAX_EXPANDED_RECORDS): number {
  const sizes = new Map<object, number>();
  // records below one record (its expand's records and theirs), memoized per shared object
  const below = (record: Record<string, unknown>): number => {
    const known = sizes.get(record);
    if (known !== undefined) return known;
    let n = 0;
    const expand = record['expand'];
    if (expand && typeof expand === 'object') {
      for (const value of Object.values(expand as Record<string, unknown>)) {
        for (const child of Array.isArray(value) ? value : [value]) {
          if (child && typeof child === 'object') n += 1 + below(child as Record<string, unknown>);
          if (n > limit) break;
        }
        if (n > limit) break;
      }
    }
    n = Math.min(n, limit + 1);
    sizes.set(record, n);
    return n;
  };
  let total = 0;
  for (const item of items) {
    total += below(item);
    if (total > limit) return limit + 1;
  }
  return total;
}

/** The 400 for an expand that would nest more than MAX_EXPANDED_RECORDS records. */
export function expandTooLarge(): GalleyError {
  return new GalleyError(
    'invalid',
    `expand is too large: the response would nest more than ${MAX_EXPANDED_RECORDS} records (ask for fewer levels or a smaller perPage)`,
  );
}
