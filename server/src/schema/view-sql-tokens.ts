/**
 * A small SQLite tokenizer for view queries: enough to find the statement's result columns and the tables it
 * reads, to refuse a second statement and to point at a token by its offset. Whitespace and comments are
 * dropped; every token keeps its place in the source text.
 */

export type SqlTokenKind = 'word' | 'quoted' | 'string' | 'number' | 'param' | 'op' | 'other';

export interface SqlToken {
  kind: SqlTokenKind;
  /** the source text of the token, quotes included */
  text: string;
  /** a word or a quoted identifier without its quotes (words as written); other kinds: the text */
  value: string;
  start: number;
  end: number;
  /** parenthesis depth the token sits at (an opening parenthesis has the outer depth) */
  depth: number;
}

const OPERATORS = ['->>', '->', '||', '<=', '>=', '==', '!=', '<>', '<<', '>>'];
const CLOSERS: Record<string, string> = { '"': '"', '`': '`', '[': ']' };

function readQuoted(text: string, i: number, close: string): number {
  let j = i + 1;
  while (j < text.length) {
    if (text[j] === close) {
      if (close !== ']' && text[j + 1] === close) j += 2; // doubled quote
      else return j + 1;
    } else j++;
  }
  return text.length; // unterminated: SQLite reports it; the token runs to the end
}

function readNumber(text: string, i: number): number {
  const m = /^(?:0[xX][0-9a-fA-F]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(text.slice(i));
  return i + (m ? m[0].length : 1);
}

/** Tokens of `text`; never throws (SQLite has the last word on what is valid). */
export function tokenizeSql(text: string): SqlToken[] {
  const out: SqlToken[] = [];
  let depth = 0;
  let i = 0;
  const push = (kind: SqlTokenKind, end: number, value?: string) => {
    const raw = text.slice(i, end);
    if (raw === ')') depth = Math.max(0, depth - 1);
    out.push({ kind, text: raw, value: value ?? raw, start: i, end, depth });
    if (raw === '(') depth++;
    i = end;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) i++;
    else if (text.startsWith('--', i)) i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i + 2) < 0 ? text.length : text.indexOf('*/', i + 2) + 2;
    else if (ch === "'") push('string', readQuoted(text, i, "'"));
    else if (ch in CLOSERS) {
      const end = readQuoted(text, i, CLOSERS[ch]!);
      const inner = text.slice(i + 1, text[end - 1] === CLOSERS[ch] ? end - 1 : end);
      push('quoted', end, ch === '[' ? inner : inner.split(ch + ch).join(ch));
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) push('number', readNumber(text, i));
    else if (/[A-Za-z_\u0080-\uffff]/.test(ch)) push('word', i + /^[\w$\u0080-\uffff]*/.exec(text.slice(i))![0].length);
    else if ('?:@$'.includes(ch)) push('param', i + 1 + /^[\w]*/.exec(text.slice(i + 1))![0].length);
    else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      push(op || '(),;.+-*/%<>=&|~!'.includes(ch) ? 'op' : 'other', i + (op?.length ?? 1));
    }
  }
  return out;
}

/** True for a word token that is the keyword `kw` (case-insensitive). */
export function isKeyword(t: SqlToken | undefined, ...kw: string[]): boolean {
  return t !== undefined && t.kind === 'word' && kw.includes(t.value.toUpperCase());
}

/** A word or quoted identifier: something that can name a table, a column or an alias. */
export function isName(t: SqlToken | undefined): boolean {
  return t !== undefined && (t.kind === 'word' || t.kind === 'quoted');
}

/** 1-based line and column of an offset, and the words an error uses to point there. */
export function describeSqlPosition(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  if (line === 1 && !text.includes('\n')) return `at character ${offset + 1}`;
  return `at line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}
