/**
 * What the database holds: the applied schema (one row in `_galley_schema`) and the migration history
 * (`_galley_migrations`: when, schema hash, steps with their SQL, and all the SQL in the order it ran).
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CollectionModel } from '../../schema/model.ts';
import { formatTimestamp, MIGRATIONS_TABLE, SCHEMA_TABLE } from '../meta-tables.ts';
import type { MigrationStep } from './step.ts';

export interface AppliedSchema {
  collections: CollectionModel[];
  hash: string;
}

/** JSON with object keys sorted, so the hash does not depend on key order in the schema file. */
export function stringifyCanonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The hash of a schema: the order of collections in the file does not count, the order of fields does. */
export function hashCollections(collections: readonly CollectionModel[]): string {
  const byId = [...collections].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return createHash('sha256').update(stringifyCanonical(byId)).digest('hex');
}

export async function readAppliedSchema(db: Kysely<any>): Promise<AppliedSchema | null> {
  const row = await db.selectFrom(SCHEMA_TABLE).select(['collections', 'hash']).where('id', '=', 1).executeTakeFirst();
  if (!row) return null;
  return { collections: JSON.parse(String(row.collections)) as CollectionModel[], hash: String(row.hash) };
}

/**
 * Records `collections` as the applied schema and, when steps ran, one history row. Returns the history
 * row's id (null when nothing ran: a schema that differed only in collection order).
 */
export async function recordAppliedSchema(
  db: Kysely<any>,
  collections: readonly CollectionModel[],
  steps: readonly MigrationStep[],
  now = new Date(),
): Promise<number | null> {
  const hash = hashCollections(collections);
  const when = formatTimestamp(now);
  const json = stringifyCanonical(collections);
  await db
    .insertInto(SCHEMA_TABLE)
    .values({ id: 1, collections: json, hash, updated: when })
    .onConflict((oc) => oc.column('id').doUpdateSet({ collections: json, hash, updated: when }))
    .execute();
  if (steps.length === 0) return null;
  const row = await db
    .insertInto(MIGRATIONS_TABLE)
    .values({
      applied: when,
      hash,
      steps: JSON.stringify(steps.map((s): HistoryStep => ({ kind: s.kind, description: s.description, details: s.details, lossy: s.lossy, why: s.why, sql: s.sql }))),
      sql: JSON.stringify(steps.flatMap((s) => s.sql)),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export interface HistoryStep {
  kind: string;
  description: string;
  details?: string[];
  lossy: boolean;
  why?: string;
  sql?: string[];
}

export interface MigrationRecord {
  id: number;
  applied: string;
  hash: string;
  steps: HistoryStep[];
  /** every statement, in the order it ran */
  sql: string[];
}

export async function listMigrations(db: Kysely<any>): Promise<MigrationRecord[]> {
  const rows = await db.selectFrom(MIGRATIONS_TABLE).selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id),
    applied: String(r.applied),
    hash: String(r.hash),
    steps: JSON.parse(String(r.steps)),
    sql: JSON.parse(String(r.sql)),
  }));
}
