/**
 * When each collection was first applied and last changed, kept beside the applied schema (one JSON value
 * in `_galley_params`) so the collections API can answer PocketBase's `created`/`updated`. The schema file
 * has no timestamps: they are the times of the migrations that created and last changed the collection.
 */
import type { Kysely } from 'kysely';
import type { CollectionModel } from '../../schema/model.ts';
import { formatTimestamp, PARAMS_TABLE, SCHEMA_TABLE } from '../meta-tables.ts';
import { stringifyCanonical } from './history.ts';

export interface CollectionTimes {
  created: string;
  updated: string;
}

const KEY = 'collection_times';

export async function readCollectionTimes(db: Kysely<any>): Promise<Map<string, CollectionTimes>> {
  const row = await db.selectFrom(PARAMS_TABLE).select('value').where('key', '=', KEY).executeTakeFirst();
  if (!row) return new Map();
  try {
    return new Map(Object.entries(JSON.parse(String(row.value)) as Record<string, CollectionTimes>));
  } catch {
    return new Map(); // a damaged value costs the timestamps, never the migration
  }
}

/**
 * Inside the migration's transaction, before the new applied schema is recorded: collections new in `after`
 * were created `now`, those whose model differs from `before` were updated `now`, dropped ones are
 * forgotten. One applied before times were kept gets the previous apply's time, the best bound there is.
 */
export async function recordCollectionTimes(db: Kysely<any>, before: readonly CollectionModel[], after: readonly CollectionModel[], now: Date): Promise<void> {
  const when = formatTimestamp(now);
  const known = await readCollectionTimes(db);
  const lastApplied = (await db.selectFrom(SCHEMA_TABLE).select('updated').where('id', '=', 1).executeTakeFirst())?.updated as string | undefined;
  const previous = new Map(before.map((c) => [c.id, c]));
  const next: Record<string, CollectionTimes> = {};
  for (const c of after) {
    const had = previous.get(c.id);
    const times = known.get(c.id) ?? (had ? { created: lastApplied ?? when, updated: lastApplied ?? when } : { created: when, updated: when });
    next[c.id] = had && stringifyCanonical(had) !== stringifyCanonical(c) ? { created: times.created, updated: when } : times;
  }
  const value = JSON.stringify(next);
  await db
    .insertInto(PARAMS_TABLE)
    .values({ key: KEY, value, updated: when })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated: when }))
    .execute();
}
