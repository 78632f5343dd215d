/**
 * `serve` brings the database to the schema file on start. Safe plans apply; a plan that would lose data
 * is refused with the whole plan printed, pointing to `galley migrate apply --allow-data-loss`; a plan
 * the data forbids is refused naming the records. Nothing is written when the schema is unchanged.
 */
import type { CollectionModel, Schema } from '../../schema/model.ts';
import { readAppliedSchema } from './history.ts';
import { migrateDatabase, type MigrateOptions } from './migrate-database.ts';
import { openMigrationScope, type MigrationTarget } from './migration-target.ts';

export type ApplySchemaOptions = MigrateOptions;

export interface ApplySchemaResult {
  /** Description of each step that ran, in order. */
  applied: string[];
  /** Hash of the schema now recorded as applied. */
  hash: string;
}

export async function applySchemaOnStart(db: MigrationTarget, schema: Schema, opts: ApplySchemaOptions = {}): Promise<ApplySchemaResult> {
  const { steps, hash } = await migrateDatabase(db, schema.collections, opts);
  return { applied: steps.map((s) => s.description), hash };
}

/** The collections last applied to this database (views included), or [] for a new database. */
export async function readAppliedCollections(db: MigrationTarget): Promise<CollectionModel[]> {
  return (await readAppliedSchema(openMigrationScope(db).read))?.collections ?? [];
}
