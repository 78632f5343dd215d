/** Auth collections: their system fields (added or enforced) and the unique indexes they need. */
import type { CollectionModel, FieldModel } from './model.ts';
import { findSingleColumnUniqueIndex, parseIndexDefinition } from './index-sql.ts';
import { AUTH_SYSTEM_FIELDS } from './system-fields.ts';

/**
 * Add missing auth system fields — right after `id` for a hand-written collection (the dashboard's
 * order), at the end for an export (PocketBase's) — enforce PocketBase's flags on declared ones of the
 * right type, and add `idx_tokenKey_<id>` / `idx_email_<id>` when no unique index covers them (a declared
 * unique email index is kept, compared case-insensitively).
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
  const emailAt = indexes.findIndex((sql) => findSingleColumnUniqueIndex([sql], 'email'));
  if (emailAt < 0) indexes.push(buildDefaultEmailIndex(c));
  else indexes[emailAt] = enforceNocaseEmailIndex(indexes[emailAt]!);
  return { ...c, fields, indexes };
}

/**
 * `idx_email_<id>`: emails are unique case-insensitively, so `Carol@x.io` cannot sign up beside `carol@x.io`
 * and a sign-in by email finds one record. PocketBase's default compares exactly; Galley is stricter (README).
 */
export function buildDefaultEmailIndex(c: Pick<CollectionModel, 'id' | 'name'>): string {
  return `CREATE UNIQUE INDEX \`idx_email_${c.id}\` ON \`${c.name}\` (\`email\` COLLATE NOCASE) WHERE \`email\` != ''`;
}

/** A declared unique email index (a PocketBase export's exact one) with its column compared as NOCASE. */
function enforceNocaseEmailIndex(sql: string): string {
  const idx = parseIndexDefinition(sql)!;
  if (idx.columns[0]!.collate.toLowerCase() === 'nocase') return sql;
  const sort = idx.columns[0]!.sort ? ` ${idx.columns[0]!.sort}` : '';
  const where = idx.where ? ` WHERE ${idx.where}` : '';
  return `CREATE UNIQUE INDEX \`${idx.name}\` ON \`${idx.table}\` (\`email\` COLLATE NOCASE${sort})${where}`;
}
