/**
 * Reads a view query without a database: its result columns (name + source tokens) and the tables of its
 * main FROM, as PocketBase's identifier parser does, but on real tokens (strings, comments, quoted names
 * and nested parentheses cannot fool it). It also refuses what can never be a view: an empty text, a
 * second statement, anything but SELECT/WITH. Whether the SQL is valid is SQLite's call (db/migrate).
 */
import { isKeyword, isName, tokenizeSql, type SqlToken } from './view-sql-tokens.ts';

export interface SelectColumn {
  /** the column's name as SQLite gives it (alias, column name, or the expression's text) */
  name: string;
  /** the expression's tokens, alias left out */
  expr: SqlToken[];
  /** `*` or `t.*` */
  wildcard: boolean;
  /** offset of the column in the query */
  start: number;
}

/** A FROM/JOIN item: `name` is null for a subquery or a table-valued function. */
export interface TableRef {
  name: string | null;
  alias: string;
}

export interface ViewSelect {
  columns: SelectColumn[];
  /** the main SELECT's FROM items, in order (the first is the main table) */
  tables: TableRef[];
}

export interface ViewQueryProblem {
  message: string;
  /** offset in the query, or null when the problem has no one place */
  offset: number | null;
}

const CLAUSE_END = ['WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'WINDOW', 'UNION', 'INTERSECT', 'EXCEPT', 'VALUES'];
const NOT_ALIAS = [...CLAUSE_END, 'ON', 'USING', 'JOIN', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'CROSS', 'NATURAL', 'OUTER', 'INDEXED', 'NOT', 'FROM'];
/** words after which an expression goes on, so a following name is not an alias */
const CONTINUES = ['AND', 'OR', 'NOT', 'IS', 'IN', 'LIKE', 'GLOB', 'MATCH', 'REGEXP', 'BETWEEN', 'COLLATE', 'CASE', 'WHEN', 'THEN', 'ELSE', 'ESCAPE', 'DISTINCT', 'ALL', 'SELECT', 'AS', 'CAST', 'EXISTS'];
/** words that end an expression but are never an alias */
const RESERVED = ['NULL', 'TRUE', 'FALSE', 'END', 'CURRENT_TIME', 'CURRENT_DATE', 'CURRENT_TIMESTAMP', ...NOT_ALIAS, ...CONTINUES];

/** Split `list` at commas of depth `depth`. */
function splitAtCommas(list: SqlToken[], depth: number): SqlToken[][] {
  const parts: SqlToken[][] = [[]];
  for (const t of list) {
    if (t.text === ',' && t.depth === depth) parts.push([]);
    else parts.at(-1)!.push(t);
  }
  return parts.filter((p) => p.length > 0);
}

function endsExpression(t: SqlToken): boolean {
  if (t.kind === 'word') return !CONTINUES.includes(t.value.toUpperCase());
  return t.kind === 'quoted' || t.kind === 'string' || t.kind === 'number' || t.text === ')';
}

const canAlias = (t: SqlToken | undefined): t is SqlToken =>
  t !== undefined && (t.kind === 'quoted' || t.kind === 'string' || (t.kind === 'word' && !RESERVED.includes(t.value.toUpperCase())));

/** `a.b.c` → the last part when the tokens are a plain (qualified) name, else null. */
export function readColumnRef(expr: SqlToken[]): { qualifier: string | null; column: string } | null {
  if (expr.length % 2 === 0 || !expr.every((t, i) => (i % 2 === 0 ? isName(t) : t.text === '.'))) return null;
  const names = expr.filter((_, i) => i % 2 === 0).map((t) => t.value);
  return { qualifier: names.length > 1 ? names.at(-2)! : null, column: names.at(-1)! };
}

function readColumn(query: string, tokens: SqlToken[]): SelectColumn {
  const n = tokens.length;
  const last = tokens[n - 1]!;
  let expr = tokens;
  let alias: string | null = null;
  if (n >= 3 && isKeyword(tokens[n - 2], 'AS') && (isName(last) || last.kind === 'string')) {
    [expr, alias] = [tokens.slice(0, -2), last.kind === 'string' ? last.text.slice(1, -1).replaceAll("''", "'") : last.value];
  } else if (n >= 2 && canAlias(last) && endsExpression(tokens[n - 2]!)) {
    [expr, alias] = [tokens.slice(0, -1), last.kind === 'string' ? last.text.slice(1, -1).replaceAll("''", "'") : last.value];
  }
  const wildcard = expr.at(-1)?.text === '*' && (expr.length === 1 || expr.at(-2)?.text === '.');
  const ref = readColumnRef(expr);
  const name = alias ?? ref?.column ?? query.slice(expr[0]!.start, expr.at(-1)!.end);
  return { name, expr, wildcard, start: tokens[0]!.start };
}

/** The FROM items starting at `tokens[i]` (just after FROM), at the FROM's depth. */
export function readFromItems(tokens: SqlToken[], i: number, depth: number): TableRef[] {
  const out: TableRef[] = [];
  const skipParens = (j: number) => {
    let k = j + 1;
    while (k < tokens.length && !(tokens[k]!.text === ')' && tokens[k]!.depth === depth)) k++;
    return k + 1;
  };
  while (i < tokens.length && tokens[i]!.depth >= depth) {
    const t = tokens[i]!;
    if (t.depth === depth && isKeyword(t, ...CLAUSE_END)) break;
    let name: string | null = null;
    if (t.text === '(') i = skipParens(i);
    else if (isName(t)) {
      while (tokens[i + 1]?.text === '.' && isName(tokens[i + 2])) i += 2;
      name = tokens[i]!.value;
      i++;
      if (tokens[i]?.text === '(') [name, i] = [null, skipParens(i)]; // json_each(…) and friends
    } else {
      i++;
      continue;
    }
    if (isKeyword(tokens[i], 'AS')) i++;
    const aliasToken = tokens[i];
    const hasAlias = isName(aliasToken) && aliasToken!.depth === depth && !isKeyword(aliasToken, ...NOT_ALIAS);
    if (hasAlias) i++;
    if (name !== null || hasAlias) out.push({ name, alias: hasAlias ? aliasToken!.value : name! });
    // ON / USING and join words up to the next item
    while (i < tokens.length && tokens[i]!.depth >= depth) {
      const u = tokens[i]!;
      if (u.depth === depth && (isKeyword(u, ...CLAUSE_END) || u.text === ',' || isKeyword(u, 'JOIN'))) break;
      i++;
    }
    if (tokens[i]?.text === ',' || isKeyword(tokens[i], 'JOIN')) i++;
  }
  return out;
}

/** Every table name the query reads from, at any depth (CTE names left out), lower-cased. */
export function listReadTables(query: string): string[] {
  const tokens = tokenizeSql(query);
  const ctes = new Set<string>();
  tokens.forEach((t, i) => {
    const prev = tokens[i - 1];
    if (isName(t) && (isKeyword(prev, 'WITH', 'RECURSIVE') || (prev?.text === ',' && isKeyword(tokens[i + 1], 'AS'))) && t.depth === 0) {
      ctes.add(t.value.toLowerCase());
    }
  });
  const names = tokens.flatMap((t, i) => (isKeyword(t, 'FROM') ? readFromItems(tokens, i + 1, t.depth) : []));
  return [...new Set(names.flatMap((r) => (r.name === null ? [] : [r.name.toLowerCase()])))].filter((n) => !ctes.has(n));
}

/** The main SELECT of a view query, or why it cannot be one. */
export function readViewSelect(query: string): { select: ViewSelect } | { problem: ViewQueryProblem } {
  const tokens = tokenizeSql(query);
  while (tokens.at(-1)?.text === ';') tokens.pop(); // wire: PocketBase trims trailing semicolons
  if (tokens.length === 0) return { problem: { message: 'the query is empty', offset: null } };
  const semicolon = tokens.find((t) => t.text === ';');
  if (semicolon) return { problem: { message: 'multiple statements are not supported (a ";" ends the first one here)', offset: semicolon.start } };
  if (!isKeyword(tokens[0], 'SELECT', 'WITH')) {
    return { problem: { message: `a view query must be a SELECT statement, not ${tokens[0]!.text.toUpperCase()}`, offset: tokens[0]!.start } };
  }
  const main = tokens.findIndex((t) => t.depth === 0 && isKeyword(t, 'SELECT'));
  if (main < 0) return { problem: { message: 'a view query must be a SELECT statement (no SELECT after WITH)', offset: tokens[0]!.start } };
  let i = main + 1;
  if (isKeyword(tokens[i], 'DISTINCT', 'ALL')) i++;
  const listStart = i;
  while (i < tokens.length && !(tokens[i]!.depth === 0 && isKeyword(tokens[i], 'FROM', ...CLAUSE_END))) i++;
  const columns = splitAtCommas(tokens.slice(listStart, i), 0).map((part) => readColumn(query, part));
  const tables = isKeyword(tokens[i], 'FROM') ? readFromItems(tokens, i + 1, 0) : [];
  return { select: { columns, tables } };
}
