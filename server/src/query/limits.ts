import { Buffer } from 'node:buffer';
import { GalleyError } from '../errors.ts';

/** wire: PocketBase's limits (tools/search/provider.go, core/record_field_resolver_runner.go). */
export const MAX_FILTER_LENGTH = 3500;
export const MAX_FILTER_EXPRESSIONS = 200;
export const MAX_SORT_KEYS = 8;
export const MAX_SORT_KEY_LENGTH = 255;
export const MAX_RELATION_DEPTH = 6;
/** Galley's own cap: PocketBase has none, but a deeper group is never written by hand and recursion must stay bounded. */
export const MAX_GROUP_DEPTH = 64;
/** wire: fexpr scans at most 3 nested function calls. */
export const MAX_CALL_DEPTH = 3;

/** A client filter longer than PocketBase accepts (measured in UTF-8 bytes, as Go's len does). */
export function checkFilterLength(filter: string): void {
  // cheap bound first: a UTF-16 unit is at most 3 UTF-8 bytes
  if (filter.length * 3 <= MAX_FILTER_LENGTH) return;
  if (filter.length > MAX_FILTER_LENGTH || Buffer.byteLength(filter, 'utf8') > MAX_FILTER_LENGTH) {
    throw new GalleyError('invalid', `filter is too long (max ${MAX_FILTER_LENGTH} characters)`);
  }
}
