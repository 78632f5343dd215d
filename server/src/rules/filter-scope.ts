import type { FilterDialect } from '../query/dialect.ts';
import type { CollectionModel, Schema } from '../schema/model.ts';
import type { RequestInfo } from './request-info.ts';

/**
 * Where a filter or rule is compiled: the collection whose rows it tests, the request it sees, and
 * `alias`, the SQL alias of that collection's table in the outer query
 * (`SELECT … FROM "<collection.name>" AS "<alias>"`). The compiled SQL refers to no other outer name.
 */
export interface FilterScope {
  schema: Schema;
  collection: CollectionModel;
  info: RequestInfo;
  alias: string;
  /** SQL dialect of the filter compiler (SQLite when absent). */
  dialect?: FilterDialect;
  /** Clock for `@now` and friends (the current time when absent). */
  now?: Date;
}
