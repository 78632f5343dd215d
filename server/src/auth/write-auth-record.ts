/** The writes auth flows make to an auth record (verified, email, password, tokenKey), as one update. */
import type { Core } from '../core.ts';
import { notFound } from '../errors.ts';
import { newTokenKey } from '../lib/ids.ts';
import { updateRecordRow } from '../records/record-write.ts';
import { buildRow } from '../records/store.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel } from '../schema/model.ts';

export interface AuthRecordChanges {
  email?: string;
  verified?: boolean;
  /** plain text; hashed outside the write transaction */
  password?: string;
  /** a new tokenKey: every token signed for this record so far stops working */
  rotateTokenKey?: boolean;
}

/**
 * Apply `changes` (autodate fields stamped as on any update), then answer the stored row. `check` runs inside
 * the write, before the update, to re-validate what may have changed since the flow read the record.
 */
export async function writeAuthRecord(
  core: Core,
  collection: CollectionModel,
  id: string,
  changes: AuthRecordChanges,
  failure: string,
  check?: (row: Record<string, unknown>) => void,
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  if (changes.email !== undefined) values['email'] = changes.email;
  if (changes.verified !== undefined) values['verified'] = changes.verified;
  if (changes.password !== undefined) values['password'] = changes.password;
  // wire: a new password or email always turns the tokenKey over, as in PocketBase.
  if (changes.rotateTokenKey || changes.password !== undefined || changes.email !== undefined) values['tokenKey'] = newTokenKey();
  const now = core.clock();
  for (const field of collection.fields) {
    const type = fieldTypeOf(field);
    if (type.serverManaged && type.autofill) {
      const stamped = type.autofill(undefined, field, { isNew: false, now });
      if (stamped !== undefined) values[field.name] = stamped;
    }
  }
  const row = await buildRow(collection, values, Object.keys(values));
  const table = collection.name;
  return core.db.writer.run(async (tx) => {
    const current = (await tx.db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst()) as Record<string, unknown> | undefined;
    if (!current) throw notFound();
    check?.(current);
    // the one update path: verified/password/tokenKey changes end OAuth2 links, MFA/OTP state (records/auth-refs.ts)
    return updateRecordRow(core, tx, collection, id, row, failure);
  });
}
