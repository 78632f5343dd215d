import { sql, type Expression, type SqlBool } from 'kysely';
import type { FilterDialect } from '../query/dialect.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { FieldModel } from '../schema/model.ts';

/** The ids a stored relation value holds: a single id (text) or a JSON array of ids. */
export function relationIds(stored: unknown): string[] {
  if (typeof stored !== 'string' || stored === '') return Array.isArray(stored) ? stored.map(String) : [];
  if (stored.startsWith('[')) {
    try {
      const parsed = JSON.parse(stored);
      return Array.isArray(parsed) ? parsed.map(String) : [];
    } catch {
      return [];
    }
  }
  return [stored];
}

/** WHERE the relation column of `table` points at any of `ids` (single: IN; multi: any array item). */
export function relationHolds(table: string, field: FieldModel, ids: string[], dialect: FilterDialect): Expression<SqlBool> {
  const column = sql.ref(`${table}.${field.name}`);
  const multi = fieldTypeOf(field).isMulti(field);
  if (!multi) return sql<SqlBool>`${column} in (${sql.join(ids)})`;
  return dialect.jsonArrayContainsAny(column, ids);
}
