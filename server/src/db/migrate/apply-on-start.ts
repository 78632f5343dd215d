/**
 * `serve` brings the database to the schema file on start: in ONE write transaction it plans against the
 * applied schema, refuses changes that lose data (pointing to `galley migrate`), runs the safe steps and
 * records what it applied. Nothing is written when the schema is unchanged.
 */
import type { Database } from '../database.ts';
import type { CollectionModel, Schema } from '../../schema/model.ts';
import { applySteps } from './apply-steps.ts';
import { hashCollections, readAppliedSchema, recordAppliedSchema } from './history.ts';
import { planSchemaChanges } from './plan.ts';

export interface ApplySchemaOptions {
  /** Only for `galley migrate apply --allow-data-loss`; `serve` never sets it. */
  allowDataLoss?: boolean;
  now?: Date;
}

export interface ApplySchemaResult {
  /** Description of each step that ran, in order. */
  applied: string[];
  /** Hash of the schema now recorded as applied. */
  hash: string;
}

export async function applySchemaOnStart(db: Database, schema: Schema, opts: ApplySchemaOptions = {}): Promise<ApplySchemaResult> {
  // Views are not applied yet (a later issue), so they are not recorded as applied either.
  const desired = schema.collections.filter((c) => c.type !== 'view');
  const hash = hashCollections(desired);
  return db.writer.run(async (tx) => {
    const applied = await readAppliedSchema(tx.db);
    if (applied?.hash === hash) return { applied: [], hash };
    const steps = planSchemaChanges(applied?.collections ?? [], desired);
    const sqlRan = await applySteps(tx.db, steps, { allowDataLoss: opts.allowDataLoss });
    await recordAppliedSchema(tx.db, desired, steps, sqlRan, opts.now);
    return { applied: steps.map((s) => s.description), hash };
  });
}

/** The collections last applied to this database (views excluded), or [] for a new database. */
export async function readAppliedCollections(db: Database): Promise<CollectionModel[]> {
  return (await readAppliedSchema(db.read))?.collections ?? [];
}
