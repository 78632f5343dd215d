import { GalleyError } from '../errors.ts';
import { mapPostgresError } from '../db/postgres-errors.ts';
import { mapSqliteError } from '../db/sqlite-errors.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel } from '../schema/model.ts';

/** Prepared values → the row to write, for the named fields that have a column. */
export async function buildRow(
  collection: CollectionModel,
  values: Record<string, unknown>,
  names: Iterable<string>,
): Promise<Record<string, string | number | null>> {
  const row: Record<string, string | number | null> = {};
  for (const name of names) {
    const field = collection.fields.find((f) => f.name === name);
    if (!field) continue;
    const type = fieldTypeOf(field);
    if (!type.column(field)) continue;
    const value = type.prepareForStorage ? await type.prepareForStorage(values[name], field) : values[name];
    row[name] = type.toStorage(value, field);
  }
  return row;
}

/** A failed write → PocketBase's answer: unique violations become field errors under `message`. */
export function rethrowWriteError(err: unknown, message: string): never {
  if (err instanceof GalleyError) throw err;
  // the two engines' errors never look alike (SQLite: a 'SQLITE_…' code; PostgreSQL: a SQLSTATE)
  const mapped = mapSqliteError(err) ?? mapPostgresError(err);
  if (mapped && mapped.kind === 'invalid') throw new GalleyError('invalid', message, { issues: mapped.issues, cause: err });
  if (mapped) throw mapped;
  throw err;
}
