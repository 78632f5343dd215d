/**
 * The filter/sort resolver of `_logs`: `id`, `created`, `level`, `message`, `data`, and `data.x.y` read
 * as a JSON path. wire: apis/logs.go's SimpleFieldResolver (`^data\.[\w\.\:]*\w+$`, JSON_EXTRACT, no ""/NULL fallback).
 */
import { sql } from 'kysely';
import type { FilterDialect } from '../query/dialect.ts';
import { columnOperand, type FilterResolver, type SqlOperand } from '../query/resolver.ts';

const COLUMNS = new Set(['id', 'created', 'level', 'message', 'data']);
const DATA_PATH = /^data\.[\w.:]*\w$/;

/** `data.a.0.b` → ['a', 0, 'b'] (parts keep only word characters, as PocketBase's Columnify). */
function toPathParts(identifier: string): (string | number)[] {
  return identifier
    .split('.')
    .slice(1)
    .map((part) => part.replace(/\W/g, ''))
    .filter((name) => name !== '')
    .map((name) => (/^\d+$/.test(name) ? Number(name) : name));
}

/** `['a', 0, 'b']` → `$.a[0].b` */
const toJsonPath = (parts: readonly (string | number)[]): string => '$' + parts.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');

export function createLogResolver(dialect: FilterDialect): FilterResolver {
  return {
    resolve(identifier): SqlOperand | null {
      if (COLUMNS.has(identifier)) return columnOperand(sql.ref(identifier));
      if (!DATA_PATH.test(identifier)) return null;
      const parts = toPathParts(identifier);
      // SQLite: PocketBase's own JSON_EXTRACT (the path has only word characters, `.`, `[`, `]` and `$`: safe as a literal)
      const value = dialect.name === 'sqlite' ? sql`json_extract(${sql.ref('data')}, ${sql.lit(toJsonPath(parts))})` : dialect.jsonExtract(sql.ref('data'), parts);
      return columnOperand(value, { nullFallback: 'disabled' });
    },
    joinScope: () => ({ joins: [], conditions: [] }),
  };
}
