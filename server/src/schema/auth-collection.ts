/** Auth collections: their system fields (added or enforced) and the unique indexes they need. */
import type { CollectionModel, FieldModel } from './model.ts';
import { findSingleColumnUniqueIndex } from './index-sql.ts';
import { AUTH_SYSTEM_FIELDS } from './system-fields.ts';

/**
 * Add missing auth system fields — right after `id` for a hand-written collection (the dashboard's
 * order), at the end for an export (PocketBase's) — enforce PocketBase's flags on declared ones of the
 * right type, and add `idx_tokenKey_<id>` / `idx_email_<id>` when no unique index covers them.
 */
export function prepareAuthCollection(c: CollectionModel, handWritten = true): CollectionModel {
  const fields = c.fields.map((f) => {
    const sys = AUTH_SYSTEM_FIELDS.find((s) => s.name === f.name);
    return sys && sys.type === f.type ? ({ ...f, ...sys.enforce } as FieldModel) : f;
  });
  const missing = AUTH_SYSTEM_FIELDS.filter((s) => !fields.some((f) => f.name === s.name)).map((s) => s.build());
  const at = handWritten && fields[0]?.name === 'id' ? 1 : fields.length;
  fields.splice(at, 0, ...missing);

  const indexes = [...c.indexes];
  if (!findSingleColumnUniqueIndex(indexes, 'tokenKey')) {
    indexes.push(`CREATE UNIQUE INDEX \`idx_tokenKey_${c.id}\` ON \`${c.name}\` (\`tokenKey\`)`);
  }
  if (!findSingleColumnUniqueIndex(indexes, 'email')) {
    indexes.push(`CREATE UNIQUE INDEX \`idx_email_${c.id}\` ON \`${c.name}\` (\`email\`) WHERE \`email\` != ''`);
  }
  return { ...c, fields, indexes };
}
