/**
 * wire: PocketBase keeps every superuser verified (its superusers save hook sets it on each save); Galley's
 * record-write pipeline does the same since issue 15, and this brings rows written before that (or by hand,
 * or by an older import) into line on start. An UPDATE that matches nothing writes nothing.
 */
import type { Kysely } from 'kysely';
import type { SchemaDialect } from './schema-dialect.ts';
import { sqliteSchemaDialect } from './sqlite-schema-dialect.ts';

const TABLE = '_superusers';

/** Mark every stored superuser verified; answers how many rows changed. */
export async function markSuperusersVerified(db: Kysely<any>, dialect: SchemaDialect = sqliteSchemaDialect): Promise<number> {
  if (!(await dialect.tableExists(db, TABLE))) return 0;
  // (SQLite's `IS NOT 1` is not PostgreSQL's; this reads the same on both)
  const result = await db
    .updateTable(TABLE)
    .set({ verified: 1 })
    .where((eb) => eb.or([eb('verified', 'is', null), eb('verified', '!=', 1)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
