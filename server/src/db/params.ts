/**
 * A small key/value store in `_galley_params` (e.g. per-collection token secrets). Values are strings;
 * callers that need structure store JSON.
 */
import type { Database, WriteTx } from './database.ts';
import { formatTimestamp, PARAMS_TABLE } from './meta-tables.ts';

export async function getParam(db: Database, key: string): Promise<string | null> {
  const row = await db.read.selectFrom(PARAMS_TABLE).select('value').where('key', '=', key).executeTakeFirst();
  return row ? String(row.value) : null;
}

export async function setParam(tx: WriteTx, key: string, value: string): Promise<void> {
  const updated = formatTimestamp(new Date());
  await tx.db
    .insertInto(PARAMS_TABLE)
    .values({ key, value, updated })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated }))
    .execute();
}

/** Reads a param, creating it inside one write job if missing, so concurrent callers agree on one value. */
export async function ensureParam(db: Database, key: string, create: () => string): Promise<string> {
  const existing = await getParam(db, key);
  if (existing !== null) return existing;
  return db.writer.run(async (tx) => {
    const row = await tx.db.selectFrom(PARAMS_TABLE).select('value').where('key', '=', key).executeTakeFirst();
    if (row) return String(row.value);
    const value = create();
    await setParam(tx, key, value);
    return value;
  });
}
