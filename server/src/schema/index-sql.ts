/**
 * The one reader of a collection's `indexes`: CREATE INDEX statements as PocketBase stores them
 * (tools/dbutils/index.go). They are parsed, not trusted: exactly one
 * `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (…) [WHERE …]`, with no second statement, comment,
 * schema prefix or bound parameter hidden inside, so a file that loads also applies (db/migrate runs the
 * column and WHERE text it returns).
 * Longer than most files: the tokenizer and the statement reader only make sense together.
 */
import { GalleyError } from '../errors.ts';

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
  name: string;
  table: string;
  columns: IndexColumn[];
  /** Source text between the parentheses after the table (columns, expressions, COLLATE, ASC/DESC). */
  columnsSql: string;
  /** Source text of the WHERE condition of a partial index; '' when there is none. */
  where: string;
  /** Whitespace- and keyword-case-normalised statement without IF NOT EXISTS, to compare applied with desired. */
  normalized: string;
}

type Token = { kind: 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'op'; text: string; start: number; end: number };

/** `grammar`: the text is not shaped like an index statement at all (schema errors then show the expected form). */
class IndexProblem {
  constructor(readonly message: string, readonly grammar: boolean) {}
}

function fail(message: string, grammar = false): never {
  throw new IndexProblem(message, grammar);
}

const NOT_AN_INDEX = 'not a CREATE [UNIQUE] INDEX `name` ON `table` (`column`, …) statement';
const QUOTE_CLOSE: Record<string, string> = { "'": "'", '"': '"', '`': '`', '[': ']' };
const COLUMN = /^([\s\S]+?)(?:\s+collate\s+(\w+))?(?:\s+(asc|desc))?$/i;
const QUOTES = /^[`"'[]|[`"'\]]$/g;

// One token at a time (sticky): blanks, a comment start, word, number, quoted, punctuation, operator.
const TOKEN =
  /(\s+)|(--|\/\*)|([A-Za-z_][A-Za-z0-9_$]*)|([0-9][0-9A-Za-z_.]*|\.[0-9][0-9A-Za-z_.]*)|('(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])|([(),;.])|([=<>!|]{1,2}|[+\-*/%&~])/y;
const KINDS: ReadonlyArray<Token['kind']> = ['word', 'number', 'quoted', 'punct', 'op']; // groups 3…7

function tokenizeIndexSql(sql: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let start = 0; start < sql.length; start = TOKEN.lastIndex) {
    const m = TOKEN.exec(sql);
    const ch = sql[start]!;
    if (!m) {
      if (ch in QUOTE_CLOSE) fail(`unterminated ${ch === "'" ? 'string' : 'quoted name'} at ${start}`);
      fail(`unexpected character ${JSON.stringify(ch)} at ${start}`);
    }
    if (m[2]) fail('comments are not allowed in an index statement');
    const group = m.findIndex((g, i) => i > 0 && g !== undefined);
    if (group === 1) continue;
    const end = TOKEN.lastIndex;
    let kind = KINDS[group - 3]!;
    let text = m[0];
    if (kind === 'quoted') {
      const close = QUOTE_CLOSE[ch]!;
      text = close === ']' ? text.slice(1, -1) : text.slice(1, -1).replaceAll(close + close, close);
      if (ch === "'") kind = 'string';
    }
    tokens.push({ kind, text, start, end });
  }
  return tokens;
}

const isPunct = (t: Token | undefined, p: string): boolean => t?.kind === 'punct' && t.text === p;

function unquote(s: string): string {
  return s.trim().replace(QUOTES, '');
}

/** One item of the column list, from its source text. */
function readIndexColumn(text: string): IndexColumn {
  const c = COLUMN.exec(text)!;
  const body = c[1]!.trim();
  const expression = /[()\s]/.test(unquote(body)) || /[+\-*/|<>=]/.test(unquote(body));
  return { name: expression ? body : unquote(body), expression, collate: c[2] ?? '', sort: (c[3]?.toUpperCase() ?? '') as IndexColumn['sort'] };
}

function readIndexStatement(sql: string): ParsedIndex {
  const tokens = tokenizeIndexSql(sql);
  let pos = 0;
  const at = (t: Token | undefined) => t?.start ?? sql.length;
  const isWord = (t: Token | undefined, word: string): boolean => t?.kind === 'word' && t.text.toUpperCase() === word;
  const expectWord = (word: string): void => {
    if (!isWord(tokens[pos], word)) fail(`expected ${word} at ${at(tokens[pos])}`, true);
    pos++;
  };
  const readName = (what: string): string => {
    const t = tokens[pos];
    if (!t || (t.kind !== 'word' && t.kind !== 'quoted') || t.text === '') fail(`expected the ${what} at ${at(t)}`, true);
    pos++;
    if (isPunct(tokens[pos], '.')) fail(`the ${what} must not name a schema ("${t.text}.")`);
    return t.text;
  };
  /** Index of the `)` closing an open group (inParens) or of the statement's end (`;` or none); checks nesting. */
  const scanBalanced = (from: number, inParens: boolean): number => {
    let depth = inParens ? 1 : 0;
    for (let p = from; p < tokens.length; p++) {
      const t = tokens[p]!;
      if (isPunct(t, ';')) {
        if (!inParens && depth === 0) return p;
        fail(p + 1 < tokens.length ? 'only one statement is allowed' : 'unbalanced parentheses');
      }
      if (isPunct(t, '(')) depth++;
      else if (isPunct(t, ')') && --depth <= 0) {
        if (depth < 0) fail('unbalanced parentheses');
        if (inParens) return p;
      }
    }
    return depth === 0 ? tokens.length : fail('unbalanced parentheses');
  };
  const source = (from: number, to: number): string => (from >= to ? '' : sql.slice(tokens[from]!.start, tokens[to - 1]!.end).trim());

  expectWord('CREATE');
  const unique = isWord(tokens[pos], 'UNIQUE');
  if (unique) pos++;
  expectWord('INDEX');
  const ifNotExists = isWord(tokens[pos], 'IF');
  if (ifNotExists) {
    pos++;
    expectWord('NOT');
    expectWord('EXISTS');
  }
  const name = readName('index name');
  expectWord('ON');
  const table = readName('table name');
  if (!isPunct(tokens[pos], '(')) fail(`expected "(" at ${at(tokens[pos])}`, true);
  const open = pos;
  pos = scanBalanced(open + 1, true);
  const columnsSql = source(open + 1, pos);
  if (columnsSql === '') fail('no indexed columns', true);
  const columns = splitIndexColumns(tokens, open + 1, pos).map(([from, to]) => readIndexColumn(source(from, to)));
  pos++;

  let where = '';
  if (isWord(tokens[pos], 'WHERE')) {
    const from = ++pos;
    pos = scanBalanced(from, false);
    where = source(from, pos);
    if (where === '') fail('WHERE without a condition', true);
  }
  if (isPunct(tokens[pos], ';')) {
    if (++pos < tokens.length) fail('only one statement is allowed');
  } else if (isPunct(tokens[pos], ')')) fail('unbalanced parentheses');
  else if (pos < tokens.length) fail(`unexpected ${JSON.stringify(tokens[pos]!.text)} at ${tokens[pos]!.start}`, true);

  const normalized = tokens
    .filter((t) => !isPunct(t, ';'))
    .map((t) => (t.kind === 'word' ? t.text.toUpperCase() : `${t.kind}:${t.text}`))
    .join(' ')
    .replace(/^CREATE (UNIQUE )?INDEX IF NOT EXISTS/, 'CREATE $1INDEX');
  return { unique, ifNotExists, name, table, columns, columnsSql, where, normalized };
}

/** [from, to) token ranges of the column list's items: commas outside parentheses split it; empty items dropped. */
function splitIndexColumns(tokens: readonly Token[], from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  for (let p = from; p <= to; p++) {
    const t = tokens[p]!;
    if (p === to || (isPunct(t, ',') && depth === 0)) {
      if (p > start) out.push([start, p]);
      start = p + 1;
    } else if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
  }
  return out;
}

// Kept: a collection's few index statements are re-read on every back-relation lookup. Process-wide on purpose:
// a pure cache keyed by the statement's text (the same answer for any app).
const inspected = new Map<string, ParsedIndex | IndexProblem>();
const MAX_INSPECTED = 512;

function inspectIndex(sql: string): ParsedIndex | IndexProblem {
  let r = inspected.get(sql);
  if (r !== undefined) return r;
  try {
    const idx = readIndexStatement(sql);
    Object.freeze(idx.columns);
    r = Object.freeze(idx);
  } catch (err) {
    if (!(err instanceof IndexProblem)) throw err;
    r = err;
  }
  if (inspected.size >= MAX_INSPECTED) inspected.clear();
  inspected.set(sql, r);
  return r;
}

/** Why an index statement cannot be used, or null. */
export function explainIndexProblem(sql: string): string | null {
  const r = inspectIndex(sql);
  return r instanceof IndexProblem ? (r.grammar ? NOT_AN_INDEX : r.message) : null;
}

/** Null when the text is not one usable CREATE INDEX statement. */
export function parseIndexDefinition(sql: string): ParsedIndex | null {
  const r = inspectIndex(sql);
  return r instanceof IndexProblem ? null : r;
}

/** Parses one index statement of collection `table` (case-insensitive, as SQLite names are); throws 'invalid'. */
export function parseCollectionIndex(sql: string, table: string): ParsedIndex {
  const r = inspectIndex(sql);
  const refuse = (why: string) => new GalleyError('invalid', `index ${JSON.stringify(sql)}: ${why}`);
  if (r instanceof IndexProblem) throw refuse(r.message);
  if (r.table.toLowerCase() !== table.toLowerCase()) throw refuse(`it indexes table "${r.table}", but belongs to collection "${table}"`);
  return r;
}

/**
 * The statement ON `table` instead of the table it names (wire: PocketBase ignores the table an index names and
 * saves it ON the collection's table, core/collection_validate.go checkIndexes). Text that does not parse, or that
 * already names `table`, is returned as it is.
 */
export function retargetIndex(sql: string, table: string): string {
  const idx = parseIndexDefinition(sql);
  if (!idx || idx.table.toLowerCase() === table.toLowerCase()) return sql;
  const quote = (name: string) => '`' + name.replaceAll('`', '``') + '`';
  const head = `CREATE ${idx.unique ? 'UNIQUE ' : ''}INDEX ${idx.ifNotExists ? 'IF NOT EXISTS ' : ''}${quote(idx.name)} ON ${quote(table)}`;
  return `${head} (${idx.columnsSql})${idx.where === '' ? '' : ` WHERE ${idx.where}`}`;
}

/** The unique index on exactly this one column, if the list has one (wire: case-insensitive, as PB). */
export function findSingleColumnUniqueIndex(indexes: readonly string[], column: string): ParsedIndex | undefined {
  for (const sql of indexes) {
    const idx = parseIndexDefinition(sql);
    if (idx?.unique && idx.columns.length === 1 && idx.columns[0]!.name.toLowerCase() === column.toLowerCase()) return idx;
  }
  return undefined;
}
