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

/**
 * Galley's own cost limits (PocketBase has none; issue 18): a client filter + sort may add at most this many
 * multi-valued hops (relations to many, back-relations, `:each`, `@collection`) to one statement, since each
 * multiplies the joined rows walked per record.
 */
export const MAX_CLIENT_MULTI_HOPS = 4;
/** LEFT JOINs in one statement's join scope (rule, filter, sort, listRule checks); SQLite stops at 64. */
export const MAX_STATEMENT_JOINS = 48;
/** The fan-out bound of a hop with no maxSelect (back-relations, `@collection`). */
export const UNBOUNDED_FAN_OUT = 1000;
/** A client part whose estimated joined rows per record reach this runs off the event loop, with a deadline. */
export const COSTLY_FAN_OUT = 100;
/** How long such a costly read may wait and run before it is stopped with a 400. */
export const COSTLY_READ_DEADLINE_MS = 10_000;
/**
 * Records one response may nest under `expand` (counted as the JSON holds them: a record expanded under two
 * parents counts twice). Six levels of ten-item relations nest a million per record: hundreds of MB of JSON
 * built on the event loop (issue 18). Galley's own; PocketBase has none.
 */
export const MAX_EXPANDED_RECORDS = 100_000;
