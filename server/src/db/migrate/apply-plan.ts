/**
 * Runs a plan inside the caller's transaction: answer the data checks, refuse before anything runs when
 * the data forbids a step or a step loses data without `allowDataLoss`, run every statement, then make
 * sure no foreign key dangles. Any failure throws, and the caller's transaction rolls everything back.
 */
import { sql, type Kysely } from 'kysely';
import { GalleyError } from '../../errors.ts';
import { addAnswer, answerDataCheck, checkPlan } from './check-plan.ts';
import { createDataLossError, createRefusedPlanError } from './format-plan.ts';
import type { SchemaDialect } from './schema-dialect.ts';
import { sqliteSchemaDialect } from './sqlite-schema-dialect.ts';
import type { CheckedPlan, Plan } from './step.ts';

export interface ApplyPlanOptions {
  /** Run steps that lose data (`galley migrate apply --allow-data-loss`); `serve` never sets it. */
  allowDataLoss?: boolean;
}

export async function applyPlan(db: Kysely<any>, plan: Plan, opts: ApplyPlanOptions = {}, dialect: SchemaDialect = sqliteSchemaDialect): Promise<CheckedPlan> {
  await dialect.lockForChecks(db, listCheckedTables(plan));
  const checked = await checkPlan(db, plan, dialect);
  if (checked.steps.some((s) => s.refused)) throw createRefusedPlanError(checked.steps);
  if (checked.steps.some((s) => s.lossy) && !opts.allowDataLoss) throw createDataLossError(checked.steps);

  for (const [i, step] of checked.steps.entries()) {
    // Checks that depend on earlier steps (a unique index over converted or new columns) are asked now.
    for (const check of step.checks.filter((c) => !c.before)) {
      const answer = await answerDataCheck(db, check, 'now', dialect);
      if (!answer) continue;
      addAnswer(step, answer);
      if (step.refused) throw createRefusedPlanError(checked.steps);
      if (!opts.allowDataLoss) throw createDataLossError(checked.steps);
    }
    for (const text of step.sql) {
      try {
        await sql.raw(text).execute(db);
      } catch (err) {
        throw new GalleyError('invalid', `migration step ${i + 1} (${step.description}) failed: ${(err as Error).message}\n  SQL: ${text}`, { cause: err });
      }
    }
  }
  await dialect.checkForeignKeys(db);
  await checkViews(db, dialect);
  return checked;
}

/** The tables (by their names before the plan) whose rows the plan's data checks read. */
function listCheckedTables(plan: Plan): string[] {
  const names = plan.steps.flatMap((s) => s.checks).flatMap((c) => [c.before?.table, c.kind === 'danglingIds' ? c.targetBefore : null]);
  return [...new Set(names.filter((n): n is string => typeof n === 'string'))].sort();
}

/** SQLite creates a view without reading its query, so every view is read once before the plan commits. */
async function checkViews(db: Kysely<any>, dialect: SchemaDialect): Promise<void> {
  for (const name of await dialect.listViews(db)) {
    try {
      await db.selectFrom(name).selectAll().limit(0).execute();
    } catch (err) {
      throw new GalleyError('invalid', `view "${name}" cannot be read after the migration (${(err as Error).message}); nothing was applied`, { cause: err });
    }
  }
}
