/**
 * Galley extension (PocketBase has none: its #5537, #5851): a record update may carry `If-Match` with the
 * record's `updated` value as the client read it. The update is then refused with 412 when the stored record
 * has been changed since, checked inside the update's writer job (records/update.ts), so no other write can
 * land between the check and the update. Without the header nothing changes. docs/records-extensions.md.
 *
 * Why 412 and not 409: the request states a precondition in a standard conditional header, and RFC 9110
 * §13.1.1 answers a failed `If-Match` with 412 Precondition Failed; 409 is for a conflict found without one.
 */
import { GalleyError, invalid } from '../errors.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel } from '../schema/model.ts';

export interface UpdatePrecondition {
  /** the field the server stamps on every update (`updated`) */
  field: string;
  /** the values the client accepts (`*`: any, the record must only exist) */
  accepted: string[] | '*';
}

export const RECORD_CHANGED = 'The record was changed since it was read; load it again before saving.';

/** The field whose value changes on every update: the one the server stamps (`updated` first), or undefined. */
function findStampedOnUpdate(collection: CollectionModel): string | undefined {
  const before = '\u0000unchanged';
  const stamped = collection.fields.filter((f) => {
    const type = fieldTypeOf(f);
    return type.autofill !== undefined && type.autofill(before, f, { isNew: false, now: new Date(0) }) !== before;
  });
  return (stamped.find((f) => f.name === 'updated') ?? stamped[0])?.name;
}

/** An `If-Match` value: `*`, or a comma-separated list of quoted (or bare) values; `W/` tags never match. */
function parseIfMatch(header: string): string[] | '*' {
  const text = header.trim();
  if (text === '*') return '*';
  const out: string[] = [];
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '' || item.startsWith('W/')) continue;
    out.push(item.length >= 2 && item.startsWith('"') && item.endsWith('"') ? item.slice(1, -1) : item);
  }
  return out;
}

/** The request's precondition, or null without `If-Match`; 400 when the collection has no field stamped on update. */
export function readUpdatePrecondition(collection: CollectionModel, info: RequestInfo): UpdatePrecondition | null {
  const header = info.headers['if_match'];
  if (header === undefined || header.trim() === '') return null;
  const field = findStampedOnUpdate(collection);
  if (!field) {
    throw invalid(`If-Match needs an autodate field set on update (such as "updated"); collection "${collection.name}" has none.`);
  }
  return { field, accepted: parseIfMatch(header) };
}

/** Throws 412 unless the stored row still has an accepted value. */
export function checkUpdatePrecondition(pre: UpdatePrecondition, row: Record<string, unknown>): void {
  if (pre.accepted === '*') return;
  const stored = String(row[pre.field] ?? '');
  if (!pre.accepted.includes(stored)) throw new GalleyError('precondition_failed', RECORD_CHANGED);
}
