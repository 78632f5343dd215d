/**
 * Errors are data: services throw GalleyError with a kind; only http/errors.ts turns a kind into a status.
 */

/** PocketBase's field error codes (wire: the strings clients match on). One closed union. */
export type ValidationCode =
  | 'validation_required'
  | 'validation_invalid_value'
  | 'validation_not_unique'
  | 'validation_unsupported_value_type'
  | 'validation_min_text_constraint'
  | 'validation_max_text_constraint'
  | 'validation_invalid_format'
  | 'validation_pk_change'
  | 'validation_pk_invalid'
  | 'validation_forbidden_pk_character'
  | 'validation_reserved_pk'
  | 'validation_invalid_or_existing_id'
  | 'validation_invalid_auth_id'
  | 'validation_not_a_number'
  | 'validation_only_int_constraint'
  | 'validation_min_number_constraint'
  | 'validation_max_number_constraint'
  | 'validation_is_email'
  | 'validation_email_domain_not_allowed'
  | 'validation_invalid_url'
  | 'validation_url_domain_not_allowed'
  | 'validation_content_size_limit'
  | 'validation_json_size_limit'
  | 'validation_invalid_json'
  | 'validation_too_many_values'
  | 'validation_not_enough_values'
  | 'validation_missing_rel_collection'
  | 'validation_missing_rel_records'
  | 'validation_invalid_file'
  | 'validation_too_many_files'
  | 'validation_file_size_limit'
  | 'validation_invalid_mime_type'
  | 'validation_invalid_latitude'
  | 'validation_invalid_longitude'
  | 'validation_values_mismatch'
  | 'validation_invalid_old_password'
  | 'validation_invalid_date'
  | 'validation_min_greater_equal_than_required'
  | 'validation_max_less_equal_than_required'
  | 'validation_invalid_email'
  | 'validation_invalid_password'
  | 'validation_invalid_token'
  | 'validation_token_collection_mismatch'
  | 'validation_invalid_token_payload'
  | 'validation_length_out_of_range'
  | 'validation_length_too_long'
  | 'validation_length_invalid'
  | 'validation_in_invalid'
  | 'validation_match_invalid'
  | 'validation_backup_name_exists'
  | 'validation_unknown_field'
  | 'validation_invalid_provider'
  | 'validation_collection_name_exists'
  | 'validation_collection_type_change'
  | 'validation_collection_system_name_change'
  | 'validation_collections_import_failure'
  | 'validation_invalid_rule'
  | 'validation_invalid_cron'
  | 'validation_not_in_invalid'
  | 'validation_reserved_field_name'
  | 'validation_invalid_view_query'
  | 'validation_duplicated_index_name'
  | 'validation_existing_index_name'
  | 'validation_missing_field'
  | 'validation_missing_unique_constraint'
  | 'batch_request_failed';

export interface FieldIssue {
  code: ValidationCode;
  message: string;
  params?: Record<string, unknown>;
}

export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'unsupported_media'
  /** a Galley extension's precondition (`If-Match` on a record update) does not hold: 412 */
  | 'precondition_failed';

/** A nested error tree: field name → issue, or a deeper tree (e.g. `fields.2.name`). */
export type IssueTree = { [key: string]: FieldIssue | IssueTree };

export class GalleyError extends Error {
  readonly kind: ErrorKind;
  readonly issues: IssueTree | undefined;
  /** Seconds a client should wait before retrying (503/429). */
  readonly retryAfter: number | undefined;

  constructor(
    kind: ErrorKind,
    message: string,
    opts: { issues?: IssueTree; cause?: unknown; retryAfter?: number } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GalleyError';
    this.kind = kind;
    this.issues = opts.issues;
    this.retryAfter = opts.retryAfter;
  }
}

export function invalid(message: string, issues?: IssueTree): GalleyError {
  return new GalleyError('invalid', message, { issues });
}
export function notFound(message = "The requested resource wasn't found."): GalleyError {
  return new GalleyError('not_found', message);
}
export function forbidden(message = 'You are not allowed to perform this request.'): GalleyError {
  return new GalleyError('forbidden', message);
}
export function unauthorized(message = 'Missing or invalid authentication.'): GalleyError {
  return new GalleyError('unauthorized', message);
}

export function issue(code: ValidationCode, message: string, params?: Record<string, unknown>): FieldIssue {
  return params && Object.keys(params).length > 0 ? { code, message, params } : { code, message };
}
