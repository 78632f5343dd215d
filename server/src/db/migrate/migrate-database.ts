/**
 * Brings a database to a schema in ONE write transaction: plan against the applied schema, answer the
 * data checks, run the steps, record the new applied schema and the history row. Either all of it
 * commits or none of it does (a crash mid-way leaves the old schema and data, as SQLite's journal promises;
 * PostgreSQL's DDL is transactional too). On PostgreSQL the transaction holds the schema lock first, so a
 * second instance applying the same schema waits, then finds it applied and runs nothing.
 */
import type { CollectionModel } from '../../schema/model.ts';
import { applyPlan } from './apply-plan.ts';
import { checkPlan } from './check-plan.ts';
import { recordCollectionTimes } from './collection-times.ts';
import { deleteRefsOfDroppedAuthCollections } from './drop-auth-refs.ts';
import { hashCollections, readAppliedSchema, recordAppliedSchema } from './history.ts';
import { planMigration } from './plan.ts';
import type { CheckedPlan, CheckedStep } from './step.ts';
import { openMigrationScope, type MigrationTarget } from './migration-target.ts';
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

export async function migrateDatabase(target: MigrationTarget, desired: readonly CollectionModel[], opts: MigrateOptions = {}): Promise<MigrateResult> {
  const { dialect, run, announce } = openMigrationScope(target);
  return run(async (db) => {
    const applied = await readAppliedSchema(db);
    const plan = planMigration(applied?.collections ?? [], desired, dialect);
    const hash = hashCollections(plan.collections);
    await markSuperusersVerified(db, dialect);
    if (applied?.hash === hash) return { steps: [], hash, historyId: null };
    const checked = await applyPlan(db, plan, opts, dialect);
    await deleteRefsOfDroppedAuthCollections(db, applied?.collections ?? [], desired);
    const now = opts.now ?? new Date();
    await recordCollectionTimes(db, applied?.collections ?? [], plan.collections, now);
    const historyId = await recordAppliedSchema(db, plan.collections, checked.steps, now);
    await announce(db, hash);
    return { steps: checked.steps, hash, historyId };
  });
}

/** The plan from the applied schema to `desired` in the database's own SQL, its data checks answered; reads only. */
export async function previewMigration(target: MigrationTarget, desired: readonly CollectionModel[]): Promise<CheckedPlan> {
  const { dialect, read } = openMigrationScope(target);
  const applied = await readAppliedSchema(read);
  return checkPlan(read, planMigration(applied?.collections ?? [], desired, dialect), dialect);
}
