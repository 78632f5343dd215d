/**
 * @galley/sdk — typed client for Galley (planned: generated record types from the schema file).
 * Until it lands, the official `pocketbase` SDK works against Galley unchanged; these are the wire types
 * it returns, for code that wants them without depending on server code.
 */

/** wire: every record carries its collection's id and name besides its fields. */
export interface RecordModel {
  id: string;
  collectionId: string;
  collectionName: string;
  expand?: Record<string, RecordModel | RecordModel[]>;
  [field: string]: unknown;
}

/** wire: the list envelope; totals are -1 when `skipTotal` was asked for. */
export interface ListResult<T = RecordModel> {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: T[];
}

/** wire: the error body of every 4xx/5xx answer. */
export interface ErrorBody {
  status: number;
  message: string;
  data: Record<string, { code: string; message: string; params?: Record<string, unknown> }>;
}
