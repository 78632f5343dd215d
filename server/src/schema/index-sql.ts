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

const HEAD = /^\s*create\s+(unique\s+)?index\s+(if\s+not\s+exists\s+)?(\S+?)\s+on\s+([^\s(]+)\s*\(/i;
const COLUMN = /^([\s\S]+?)(?:\s+collate\s+(\w+))?(?:\s+(asc|desc))?$/i;
const QUOTES = /^[`"'[]|[`"'\]]$/g;

function unquote(s: string): string {
  return s.trim().replace(QUOTES, '');
}

/** Index of the `)` closing the group opened just before `from`, skipping quoted text; -1 if none. */
function findClosingParen(sql: string, from: number): number {
  let depth = 1;
  let quote = '';
  for (let i = from; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '[') quote = ']';
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
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

/** The text outside quotes, so comments and statement breaks can be spotted. */
function stripQuoted(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]/g, "''");
}

/**
 * Why an index statement cannot be used, or null. Stricter than PocketBase in the ways db/migrate is
 * (one statement, no comments, no schema prefix), so a file that loads also applies.
 */
export function explainIndexProblem(sql: string): string | null {
  const bare = stripQuoted(sql);
  if (/--|\/\*/.test(bare)) return 'comments are not allowed in an index statement';
  if (/;\s*\S/.test(bare)) return 'only one statement is allowed';
  let depth = 0;
  for (const c of bare) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    if (depth < 0) break;
  }
  if (depth !== 0) return 'unbalanced parentheses';
  const idx = parseIndexDefinition(sql);
  if (!idx) return 'not a CREATE [UNIQUE] INDEX `name` ON `table` (`column`, …) statement';
  if (idx.schemaName !== '') return `the index name must not name a schema ("${idx.schemaName}.")`;
  return null;
}

/** Null when the text is not a CREATE INDEX statement with a name, a table and at least one column. */
export function parseIndexDefinition(sql: string): ParsedIndex | null {
  const m = HEAD.exec(sql);
  if (!m) return null;
  const close = findClosingParen(sql, m[0].length);
  if (close < 0) return null;
  const rest = sql.slice(close + 1).trim().replace(/;$/, '').trim();
  const where = /^where\s+([\s\S]+)$/i.exec(rest);
  if (rest !== '' && !where) return null;
  const nameParts = m[3]!.split('.');
  const columns: IndexColumn[] = [];
  for (const raw of splitColumns(sql.slice(m[0].length, close))) {
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
    where: where?.[1]!.trim() ?? '',
  };
  if (parsed.name === '' || parsed.table === '' || columns.length === 0 || nameParts.length > 2) return null;
  return parsed;
}

/** The unique index on exactly this one column, if the list has one (wire: case-insensitive, as PB). */
export function findSingleColumnUniqueIndex(indexes: readonly string[], column: string): ParsedIndex | undefined {
  for (const sql of indexes) {
    const idx = parseIndexDefinition(sql);
    if (idx?.unique && idx.columns.length === 1 && idx.columns[0]!.name.toLowerCase() === column.toLowerCase()) return idx;
  }
  return undefined;
}
