import type { Kysely } from 'kysely';
import { GalleyError, type IssueTree } from '../errors.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { ValidateContext } from '../schema/fields/field-type.ts';
import type { CollectionModel, Schema } from '../schema/model.ts';

export function validateContext(db: Kysely<any>, schema: Schema, superuser: boolean, isNew: boolean): ValidateContext {
  return {
    isSuperuser: superuser,
    isNew,
    async existingIds(collectionId, ids) {
      const target = schema.findCollection(collectionId);
      if (!target || ids.length === 0) return new Set();
      const rows = await db.selectFrom(target.name).select('id').where('id', 'in', ids).execute();
      return new Set(rows.map((r) => String(r['id'])));
    },
  };
}

/** Validate the given fields; throws PocketBase's 400 with one issue per failing field. */
export async function validateFields(
  collection: CollectionModel,
  values: Record<string, unknown>,
  names: Iterable<string>,
  ctx: ValidateContext,
  message: string,
  extra: IssueTree = {},
  /** the stored row on update: validators compare with it (kept files, password hash, primary key) */
  stored?: Record<string, unknown>,
): Promise<void> {
  const issues: IssueTree = { ...extra };
  for (const name of names) {
    const field = collection.fields.find((f) => f.name === name);
    if (!field || name in issues) continue;
    const fieldCtx = stored ? { ...ctx, original: stored[name] } : ctx;
    const problem = await fieldTypeOf(field).validate(values[name], field, fieldCtx);
    if (problem) issues[name] = problem;
  }
  if (Object.keys(issues).length > 0) throw new GalleyError('invalid', message, { issues });
}
