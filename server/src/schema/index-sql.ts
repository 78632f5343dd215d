/**
 * `CREATE [UNIQUE] INDEX` statements of a collection, read the way PocketBase reads them
 * (tools/dbutils/index.go): name, table, columns (plain names or expressions), optional WHERE.
 */

export interface IndexColumn {
  /** column name without quotes, or the expression text */
  name: string;
  /** true when `name` is an expression such as `lower(email)` */
  expression: boolean;
  collate: string;
  sort: '' | 'ASC' | 'DESC';
}

export interface ParsedIndex {
  unique: boolean;
  ifNotExists: boolean;
  schemaName: string;
  name: string;
  table: string;
  columns: IndexColumn[];
  where: string;
}

const INDEX = /^\s*create\s+(unique\s+)?index\s+(if\s+not\s+exists\s+)?(\S+)\s+on\s+(\S+?)\s*\(([\s\S]*)\)(?:\s*where\s+([\s\S]*?))?\s*;?\s*$/i;
const COLUMN = /^([\s\S]+?)(?:\s+collate\s+(\w+))?(?:\s+(asc|desc))?$/i;
const QUOTES = /^[`"'[]|[`"'\]]$/g;

function unquote(s: string): string {
  return s.trim().replace(QUOTES, '');
}

/** Split on commas outside parentheses and quotes. */
function splitColumns(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '[') quote = ']';
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** Null when the text is not a CREATE INDEX statement with a name, a table and at least one column. */
export function parseIndexSql(sql: string): ParsedIndex | null {
  const m = INDEX.exec(sql);
  if (!m) return null;
  const nameParts = m[3]!.split('.');
  const columns: IndexColumn[] = [];
  for (const raw of splitColumns(m[5]!)) {
    const c = COLUMN.exec(raw);
    if (!c) return null;
    const text = c[1]!.trim();
    const expression = /[()\s]/.test(unquote(text)) || /[+\-*/|<>=]/.test(unquote(text));
    columns.push({
      name: expression ? text : unquote(text),
      expression,
      collate: c[2] ?? '',
      sort: (c[3]?.toUpperCase() ?? '') as IndexColumn['sort'],
    });
  }
  const parsed: ParsedIndex = {
    unique: m[1] !== undefined,
    ifNotExists: m[2] !== undefined,
    schemaName: nameParts.length === 2 ? unquote(nameParts[0]!) : '',
    name: unquote(nameParts[nameParts.length - 1]!),
    table: unquote(m[4]!),
    columns,
    where: m[6]?.trim() ?? '',
  };
  if (parsed.name === '' || parsed.table === '' || columns.length === 0 || nameParts.length > 2) return null;
  return parsed;
}

/** The unique index on exactly this one column, if the list has one (wire: case-insensitive, as PB). */
export function findSingleColumnUniqueIndex(indexes: readonly string[], column: string): ParsedIndex | undefined {
  for (const sql of indexes) {
    const idx = parseIndexSql(sql);
    if (idx?.unique && idx.columns.length === 1 && idx.columns[0]!.name.toLowerCase() === column.toLowerCase()) return idx;
  }
  return undefined;
}
