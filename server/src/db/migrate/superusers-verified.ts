/**
 * wire: PocketBase keeps every superuser verified (its superusers save hook sets it on each save); Galley's
 * record-write pipeline does the same since issue 15, and this brings rows written before that (or by hand,
 * or by an older import) into line on start. An UPDATE that matches nothing writes nothing.
 */
import type { Kysely } from 'kysely';

const TABLE = '_superusers';

/** Mark every stored superuser verified; answers how many rows changed. */
export async function markSuperusersVerified(db: Kysely<any>): Promise<number> {
  const exists = await db.selectFrom('sqlite_master').select('name').where('type', '=', 'table').where('name', '=', TABLE).executeTakeFirst();
  if (!exists) return 0;
  const result = await db.updateTable(TABLE).set({ verified: 1 }).where('verified', 'is not', 1).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
