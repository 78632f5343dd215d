/**
 * The migrations check of a start without the plan when nothing changed (issue 16: the plan of an unchanged
 * schema was the costliest part of a start that has nothing to migrate). When a full check finds the database
 * matching the schema, the start records a key (Galley's version and the schema's collections, hashed) beside
 * the applied schema's hash; a later start that computes the same key and finds the same applied hash skips
 * the plan: its inputs are the ones a full plan already found nothing to do for. Anything else plans in full.
 * What a skipped plan would have seen and this does not: a `_galley_schema` row whose collections were edited by
 * hand while its hash was kept, and a planner of a newer build with the same version number.
 */
import { createHash } from 'node:crypto';
import pkg from '../../../package.json' with { type: 'json' };
import { formatTimestamp, PARAMS_TABLE, SCHEMA_TABLE } from '../meta-tables.ts';
import type { Schema } from '../../schema/model.ts';
import { applySchemaOnStart, type ApplySchemaResult } from './apply-on-start.ts';
import { openMigrationScope, type MigrationTarget } from './migration-target.ts';
import { markSuperusersVerified } from './superusers-verified.ts';

/** `_galley_params` key of `{ key, hash }`: the start key and the applied hash a full check found matching. */
export const START_KEY_PARAM = 'migrations.startKey';

/** The key of a start's inputs: plain JSON (no key sorting), as the same file loads to the same models. */
export function computeStartKey(schema: Schema): string {
  return createHash('sha256').update(`galley ${pkg.version}\n`).update(JSON.stringify(schema.collections)).digest('hex');
}

/**
 * applySchemaOnStart, skipping its plan when the key and the applied hash are those a full check recorded.
 * The superusers fix-up of every start still runs (a superuser written unverified by another process).
 */
export async function checkSchemaOnStart(target: MigrationTarget, schema: Schema): Promise<ApplySchemaResult> {
  const key = computeStartKey(schema);
  const { dialect, run } = openMigrationScope(target);
  const known = await run(async (db) => {
    const applied = await db.selectFrom(SCHEMA_TABLE).select('hash').where('id', '=', 1).executeTakeFirst();
    const param = await db.selectFrom(PARAMS_TABLE).select('value').where('key', '=', START_KEY_PARAM).executeTakeFirst();
    if (!applied || !param || !isRecordedMatch(String(param.value), key, String(applied.hash))) return null;
    await markSuperusersVerified(db, dialect);
    return String(applied.hash);
  });
  if (known !== null) return { applied: [], hash: known };
  const result = await applySchemaOnStart(target, schema);
  // only a check that found nothing to do is recorded: a later skip then rests on the plan's determinism alone
  if (result.applied.length === 0) {
    const value = JSON.stringify({ key, hash: result.hash });
    const updated = formatTimestamp(new Date());
    await run((db) => db.insertInto(PARAMS_TABLE).values({ key: START_KEY_PARAM, value, updated })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated })).execute());
  }
  return result;
}

function isRecordedMatch(value: string, key: string, appliedHash: string): boolean {
  try {
    const recorded = JSON.parse(value) as { key?: unknown; hash?: unknown };
    return recorded.key === key && recorded.hash === appliedHash;
  } catch {
    return false;
  }
}
