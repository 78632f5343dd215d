/**
 * The filter language's tokens, scanned on demand (a 1 MB input that fails early costs nothing more).
 * wire: the rules are fexpr's scanner (PocketBase's filter parser); where Galley differs it says so.
 */
import { OPERATORS } from './ast.ts';
import { describeChar, FilterSyntaxError } from './syntax-error.ts';

export type TokenType =
  | 'identifier'
  | 'call' // an identifier directly followed by `(`; the `(` is consumed with it
  | 'number'
  | 'text'
  | 'operator'
  | 'and'
  | 'or'
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'eof';

export interface Token {
  readonly type: TokenType;
  /** identifier/call name, operator, number literal as written, or the unquoted text */
  readonly value: string;
  readonly pos: number;
}

const isLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
// wire: fexpr's whitespace is space, tab and newline; Galley also skips \r so CRLF rule files work.
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isIdentStart = (c: string): boolean => isLetter(c) || c === '@' || c === '_' || c === '#';
const isIdentPart = (c: string): boolean => isLetter(c) || isDigit(c) || c === '_' || c === '.' || c === ':';
const isSignChar = (c: string): boolean => '=?!<>~'.includes(c);

export class FilterLexer {
  #pos = 0;
  constructor(private readonly input: string) {}

  next(): Token {
    this.#skipSpaceAndComments();
    const s = this.input;
    const start = this.#pos;
    const c = s[start];
    if (c === undefined) return { type: 'eof', value: '', pos: start };
    if (c === '(') return this.#single('lparen', start);
    if (c === ')') return this.#single('rparen', start);
    if (c === ',') return this.#single('comma', start);
    if (isIdentStart(c)) return this.#identifier(start);
    if (c === '-' || isDigit(c)) return this.#number(start);
    if (c === '"' || c === "'") return this.#text(start);
    if (isSignChar(c)) return this.#run(start, isSignChar, 'operator');
    if (c === '&' || c === '|') return this.#run(start, (ch) => ch === '&' || ch === '|', 'join');
    throw new FilterSyntaxError(`unexpected ${describeChar(c)}`, start);
  }

  #single(type: TokenType, start: number): Token {
    this.#pos = start + 1;
    return { type, value: this.input[start]!, pos: start };
  }

  #skipSpaceAndComments(): void {
    const s = this.input;
    for (;;) {
      const c = s[this.#pos];
      if (c !== undefined && isSpace(c)) this.#pos++;
      else if (c === '/') {
        // wire: a comment is `//` to the end of the line; a lone `/` is an error
        if (s[this.#pos + 1] !== '/') throw new FilterSyntaxError(`unexpected '/'`, this.#pos);
        const end = s.indexOf('\n', this.#pos);
        this.#pos = end === -1 ? s.length : end + 1;
      } else return;
    }
  }

  #identifier(start: number): Token {
    const s = this.input;
    let i = start + 1;
    while (i < s.length && isIdentPart(s[i]!)) i++;
    const name = s.slice(start, i);
    const last = name[name.length - 1]!;
    // wire: may not end in `.`/`:`, and a lone `@`, `_` or `#` is not an identifier
    if (last === '.' || last === ':' || (name.length === 1 && !isLetter(name))) {
      throw new FilterSyntaxError(`invalid identifier ${JSON.stringify(name)}`, start);
    }
    if (s[i] === '(') {
      this.#pos = i + 1;
      return { type: 'call', value: name, pos: start };
    }
    this.#pos = i;
    return { type: 'identifier', value: name, pos: start };
  }

  #number(start: number): Token {
    const s = this.input;
    let i = start + 1;
    let dot = false;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === '.' && !dot) dot = true;
      else if (!isDigit(c)) break;
    }
    const raw = s.slice(start, i);
    // wire: `-` alone, a leading `.` or a trailing `.` is not a number (`-.5` is)
    if (raw === '-' || raw.endsWith('.')) throw new FilterSyntaxError(`invalid number ${JSON.stringify(raw)}`, start);
    this.#pos = i;
    return { type: 'number', value: raw, pos: start };
  }

  #text(start: number): Token {
    const s = this.input;
    const quote = s[start]!;
    let i = start + 1;
    // wire: a quote right after a backslash never ends the text, and only `\<quote>` is unescaped
    for (;;) {
      const end = s.indexOf(quote, i);
      if (end === -1) throw new FilterSyntaxError('unterminated text', start);
      if (end > start + 1 && s[end - 1] === '\\') {
        i = end + 1;
        continue;
      }
      this.#pos = end + 1;
      return { type: 'text', value: s.slice(start + 1, end).replaceAll('\\' + quote, quote), pos: start };
    }
  }

  #run(start: number, accept: (c: string) => boolean, kind: 'operator' | 'join'): Token {
    const s = this.input;
    let i = start + 1;
    while (i < s.length && accept(s[i]!)) i++;
    const value = s.slice(start, i);
    this.#pos = i;
    if (kind === 'join') {
      if (value === '&&') return { type: 'and', value, pos: start };
      if (value === '||') return { type: 'or', value, pos: start };
      throw new FilterSyntaxError(`invalid join operator ${JSON.stringify(value)}`, start);
    }
    if (!OPERATORS.has(value)) throw new FilterSyntaxError(`invalid operator ${JSON.stringify(value)}`, start);
    return { type: 'operator', value, pos: start };
  }
}
