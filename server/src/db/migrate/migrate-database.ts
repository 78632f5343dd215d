/**
 * Brings a database to a schema in ONE write transaction: plan against the applied schema, answer the
 * data checks, run the steps, record the new applied schema and the history row. Either all of it
 * commits or none of it does (a crash mid-way leaves the old schema and data, as SQLite's journal promises).
 */
import type { Database } from '../database.ts';
import type { CollectionModel } from '../../schema/model.ts';
import { applyPlan } from './apply-plan.ts';
import { recordCollectionTimes } from './collection-times.ts';
import { deleteRefsOfDroppedAuthCollections } from './drop-auth-refs.ts';
import { hashCollections, readAppliedSchema, recordAppliedSchema } from './history.ts';
import { planMigration } from './plan.ts';
import type { CheckedStep } from './step.ts';
import { markSuperusersVerified } from './superusers-verified.ts';

export interface MigrateOptions {
  /** Run steps that lose data (`galley migrate apply --allow-data-loss`); `serve` never sets it. */
  allowDataLoss?: boolean;
  now?: Date;
}

export interface MigrateResult {
  /** The steps that ran, with their answered checks ([] when the database already matched). */
  steps: CheckedStep[];
  /** Hash of the schema now recorded as applied. */
  hash: string;
  /** The history row written, or null when no step ran. */
  historyId: number | null;
}

export async function migrateDatabase(db: Database, desired: readonly CollectionModel[], opts: MigrateOptions = {}): Promise<MigrateResult> {
  return db.writer.run(async (tx) => {
    const applied = await readAppliedSchema(tx.db);
    const plan = planMigration(applied?.collections ?? [], desired);
    const hash = hashCollections(plan.collections);
    await markSuperusersVerified(tx.db);
    if (applied?.hash === hash) return { steps: [], hash, historyId: null };
    const checked = await applyPlan(tx.db, plan, opts);
    await deleteRefsOfDroppedAuthCollections(tx.db, applied?.collections ?? [], desired);
    const now = opts.now ?? new Date();
    await recordCollectionTimes(tx.db, applied?.collections ?? [], plan.collections, now);
    const historyId = await recordAppliedSchema(tx.db, plan.collections, checked.steps, now);
    return { steps: checked.steps, hash, historyId };
  });
}
