/**
 * A collection's `indexes` are CREATE INDEX statements as PocketBase stores them. They are parsed here, not
 * trusted: exactly one `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (…) [WHERE …]`, on the
 * collection's own table, with no second statement, comment or schema prefix hidden inside.
 */
import { GalleyError } from '../../errors.ts';

export interface ParsedIndex {
  name: string;
  unique: boolean;
  table: string;
  /** Source text between the parentheses after the table (columns, expressions, COLLATE, ASC/DESC). */
  columns: string;
  /** Source text of the WHERE condition of a partial index, if any. */
  where: string | undefined;
  /** Whitespace-normalised statement, to compare an applied index with a desired one. */
  normalized: string;
}

type Token = { kind: 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'op'; text: string; start: number; end: number };

function fail(sql: string, why: string): never {
  throw new GalleyError('invalid', `index ${JSON.stringify(sql)}: ${why}`);
}

const QUOTE_CLOSE: Record<string, string> = { '"': '"', '`': '`', '[': ']' };

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const start = i;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if ((ch === '-' && sql[i + 1] === '-') || (ch === '/' && sql[i + 1] === '*')) fail(sql, 'comments are not allowed');
    if (/[A-Za-z_]/.test(ch)) {
      while (i < sql.length && /[A-Za-z0-9_$]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'word', text: sql.slice(start, i), start, end: i });
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      while (i < sql.length && /[0-9A-Za-z_.]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'number', text: sql.slice(start, i), start, end: i });
    } else if (ch === "'" || ch in QUOTE_CLOSE) {
      const close = ch === "'" ? "'" : QUOTE_CLOSE[ch]!;
      let text = '';
      i++;
      for (;;) {
        if (i >= sql.length) fail(sql, `unterminated ${ch === "'" ? 'string' : 'quoted name'} at ${start}`);
        if (sql[i] === close) {
          if (close !== ']' && sql[i + 1] === close) {
            text += close;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += sql[i];
        i++;
      }
      tokens.push({ kind: ch === "'" ? 'string' : 'quoted', text, start, end: i });
    } else if ('(),;.'.includes(ch)) {
      i++;
      tokens.push({ kind: 'punct', text: ch, start, end: i });
    } else if ('=<>!|+-*/%&~'.includes(ch)) {
      while (i < sql.length && '=<>!|'.includes(sql[i]!) && i - start < 2) i++;
      if (i === start) i++;
      tokens.push({ kind: 'op', text: sql.slice(start, i), start, end: i });
    } else {
      fail(sql, `unexpected character ${JSON.stringify(ch)} at ${start}`);
    }
  }
  return tokens;
}

/** Parses one index statement and checks that it indexes `table` (case-insensitive, as SQLite names are). */
export function parseIndexSql(sql: string, table: string): ParsedIndex {
  const tokens = tokenize(sql);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (t: Token | undefined, word: string): boolean => t?.kind === 'word' && t.text.toUpperCase() === word;
  const expectWord = (word: string): void => {
    if (!isWord(peek(), word)) fail(sql, `expected ${word} at ${peek()?.start ?? sql.length}`);
    pos++;
  };
  const name = (what: string): string => {
    const t = peek();
    if (!t || (t.kind !== 'word' && t.kind !== 'quoted') || t.text === '') fail(sql, `expected the ${what} at ${t?.start ?? sql.length}`);
    pos++;
    if (peek()?.text === '.') fail(sql, `the ${what} must not name a schema ("${t.text}.")`);
    return t.text;
  };

  expectWord('CREATE');
  const unique = isWord(peek(), 'UNIQUE');
  if (unique) pos++;
  expectWord('INDEX');
  if (isWord(peek(), 'IF')) {
    pos++;
    expectWord('NOT');
    expectWord('EXISTS');
  }
  const indexName = name('index name');
  expectWord('ON');
  const tableName = name('table name');
  if (tableName.toLowerCase() !== table.toLowerCase()) {
    fail(sql, `it indexes table "${tableName}", but belongs to collection "${table}"`);
  }
  if (peek()?.text !== '(') fail(sql, `expected "(" at ${peek()?.start ?? sql.length}`);
  const open = pos;
  let depth = 0;
  for (; pos < tokens.length; pos++) {
    const t = tokens[pos]!;
    if (t.kind === 'punct' && t.text === '(') depth++;
    if (t.kind === 'punct' && t.text === ')' && --depth === 0) break;
    if (t.kind === 'punct' && t.text === ';') fail(sql, 'only one statement is allowed');
  }
  if (depth !== 0) fail(sql, 'unbalanced parentheses');
  const columns = sql.slice(tokens[open]!.end, tokens[pos]!.start).trim();
  if (columns === '') fail(sql, 'no indexed columns');
  pos++;

  let where: string | undefined;
  if (isWord(peek(), 'WHERE')) {
    const from = ++pos;
    let d = 0;
    for (; pos < tokens.length; pos++) {
      const t = tokens[pos]!;
      if (t.kind === 'punct' && t.text === '(') d++;
      if (t.kind === 'punct' && t.text === ')' && --d < 0) fail(sql, 'unbalanced parentheses');
      if (t.kind === 'punct' && t.text === ';') break;
    }
    if (d !== 0) fail(sql, 'unbalanced parentheses');
    if (from === pos) fail(sql, 'WHERE without a condition');
    where = sql.slice(tokens[from]!.start, tokens[pos - 1]!.end).trim();
  }
  if (peek()?.text === ';') pos++;
  if (pos < tokens.length) fail(sql, `unexpected ${JSON.stringify(tokens[pos]!.text)} at ${tokens[pos]!.start}; only one statement is allowed`);

  return {
    name: indexName,
    unique,
    table: tableName,
    columns,
    where,
    normalized: tokens
      .filter((t) => t.text !== ';')
      .map((t) => (t.kind === 'word' ? t.text.toUpperCase() : `${t.kind}:${t.text}`))
      .join(' ')
      .replace(/^CREATE (UNIQUE )?INDEX IF NOT EXISTS/, 'CREATE $1INDEX'),
  };
}
