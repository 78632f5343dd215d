/**
 * The filter/sort resolver of `_logs`: `id`, `created`, `level`, `message`, `data`, and `data.x.y` read
 * as a JSON path. wire: apis/logs.go's SimpleFieldResolver (`^data\.[\w\.\:]*\w+$`, JSON_EXTRACT, no ""/NULL fallback).
 */
import { sql } from 'kysely';
import { columnOperand, type FilterResolver, type SqlOperand } from '../query/resolver.ts';

const COLUMNS = new Set(['id', 'created', 'level', 'message', 'data']);
const DATA_PATH = /^data\.[\w.:]*\w$/;

/** `data.a.0.b` → `$.a[0].b` (parts keep only word characters, as PocketBase's Columnify). */
function toJsonPath(identifier: string): string {
  let path = '$';
  for (const part of identifier.split('.').slice(1)) {
    const name = part.replace(/\W/g, '');
    if (name === '') continue;
    path += /^\d+$/.test(name) ? `[${name}]` : `.${name}`;
  }
  return path;
}

export function createLogResolver(): FilterResolver {
  return {
    resolve(identifier): SqlOperand | null {
      if (COLUMNS.has(identifier)) return columnOperand(sql.ref(identifier));
      if (!DATA_PATH.test(identifier)) return null;
      // the path has only word characters, `.`, `[`, `]` and `$`: safe as an SQL literal
      return columnOperand(sql`json_extract(${sql.ref('data')}, ${sql.lit(toJsonPath(identifier))})`, { nullFallback: 'disabled' });
    },
    joinScope: () => ({ joins: [], conditions: [] }),
  };
}
