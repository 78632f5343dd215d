/**
 * Filter text → syntax tree. Recursive descent over FilterLexer with hard caps on group depth,
 * call depth and comparison count, so hostile input (100k `(`, 1 MB) fails fast and never deep.
 * Parsed trees are cached by text: rules are compiled on every request.
 */
import { LruMap } from '../lib/lru.ts';
import type { CallTerm, Comparison, Expr, Operator, Term } from './ast.ts';
import { FilterLexer, type Token } from './lexer.ts';
import { MAX_CALL_DEPTH, MAX_FILTER_EXPRESSIONS, MAX_GROUP_DEPTH } from './limits.ts';
import { describeChar, FilterSyntaxError } from './syntax-error.ts';

export { FilterSyntaxError } from './syntax-error.ts';

const CACHE_MAX_ENTRIES = 1000;
const CACHE_MAX_TEXT = 16 * 1024;
const cache = new LruMap<string, Expr>(CACHE_MAX_ENTRIES);

/**
 * Parse a filter or rule. Throws FilterSyntaxError (a GalleyError of kind 'invalid') with the
 * 0-based position, e.g. `unexpected ')' at 14`. An empty or blank text is an error too
 * (wire: PocketBase refuses it); callers treat "no filter" before calling.
 */
export function parseFilter(input: string): Expr {
  const hit = cache.get(input);
  if (hit) return hit;
  const expr = new Parser(input).parseAll();
  if (input.length <= CACHE_MAX_TEXT) cache.set(input, expr);
  return expr;
}

class Parser {
  readonly #lexer: FilterLexer;
  #token: Token;
  #comparisons = 0;

  constructor(input: string) {
    this.#lexer = new FilterLexer(input);
    this.#token = this.#lexer.next();
  }

  parseAll(): Expr {
    if (this.#token.type === 'eof') throw new FilterSyntaxError('empty filter expression', this.#token.pos);
    return this.#sequence(0);
  }

  #advance(): Token {
    const t = this.#token;
    this.#token = this.#lexer.next();
    return t;
  }

  #unexpected(t: Token): FilterSyntaxError {
    if (t.type === 'eof') return new FilterSyntaxError('unexpected end of filter', t.pos);
    if (t.type === 'text') return new FilterSyntaxError('unexpected text', t.pos);
    const shown = t.type === 'call' ? `${t.value}(` : t.value;
    return new FilterSyntaxError(`unexpected ${shown.length === 1 ? describeChar(shown) : JSON.stringify(shown)}`, t.pos);
  }

  /** `item (join item)*` up to `)` (depth > 0) or the end (depth 0). AND binds tighter than OR. */
  #sequence(depth: number): Expr {
    const ors: Expr[][] = [[this.#item(depth)]];
    for (;;) {
      const t = this.#token;
      if (t.type === 'and' || t.type === 'or') {
        this.#advance();
        const next = this.#item(depth);
        if (t.type === 'or') ors.push([next]);
        else ors[ors.length - 1]!.push(next);
        continue;
      }
      if (depth > 0 ? t.type === 'rparen' : t.type === 'eof') break;
      // wire: fexpr would silently join a group written right after an item; Galley refuses it
      throw this.#unexpected(t);
    }
    const groups = ors.map((items) => (items.length === 1 ? items[0]! : { type: 'and' as const, items, pos: items[0]!.pos }));
    return groups.length === 1 ? groups[0]! : { type: 'or', items: groups, pos: groups[0]!.pos };
  }

  #item(depth: number): Expr {
    const t = this.#token;
    if (t.type !== 'lparen') return this.#comparison();
    if (depth + 1 > MAX_GROUP_DEPTH) throw new FilterSyntaxError(`parentheses nested too deeply (max ${MAX_GROUP_DEPTH})`, t.pos);
    this.#advance();
    if (this.#token.type === 'rparen') throw new FilterSyntaxError('empty parentheses', t.pos);
    const inner = this.#sequence(depth + 1);
    this.#advance(); // the `)`
    return inner;
  }

  #comparison(): Comparison {
    const left = this.#term(0);
    const opToken = this.#token;
    if (opToken.type !== 'operator') {
      if (opToken.type === 'eof') throw new FilterSyntaxError('expected an operator, got end of filter', opToken.pos);
      throw this.#unexpected(opToken);
    }
    this.#advance();
    const right = this.#term(0);
    if (++this.#comparisons > MAX_FILTER_EXPRESSIONS) {
      throw new FilterSyntaxError(`too many expressions (max ${MAX_FILTER_EXPRESSIONS})`, left.pos);
    }
    return { type: 'comparison', left, op: opToken.value as Operator, right, pos: left.pos };
  }

  /** An operand: identifier, number, text or function call. */
  #term(callDepth: number): Term {
    const t = this.#token;
    switch (t.type) {
      case 'identifier':
        this.#advance();
        return { type: 'identifier', name: t.value, pos: t.pos };
      case 'number':
        this.#advance();
        return { type: 'number', value: Number(t.value), raw: t.value, pos: t.pos };
      case 'text':
        this.#advance();
        return { type: 'text', value: t.value, pos: t.pos };
      case 'call':
        return this.#call(callDepth + 1);
      default:
        throw this.#unexpected(t);
    }
  }

  /** `name(arg, arg, …)`; a trailing comma is allowed (wire: as fexpr). */
  #call(callDepth: number): CallTerm {
    const head = this.#advance();
    if (callDepth > MAX_CALL_DEPTH) throw new FilterSyntaxError(`function calls nested too deeply (max ${MAX_CALL_DEPTH})`, head.pos);
    const args: Term[] = [];
    let expectComma = false;
    for (;;) {
      const t = this.#token;
      if (t.type === 'rparen') {
        this.#advance();
        return { type: 'call', name: head.value, args, pos: head.pos };
      }
      if (t.type === 'eof') throw new FilterSyntaxError(`unterminated call of ${JSON.stringify(head.value)}`, head.pos);
      if (t.type === 'comma') {
        if (!expectComma) throw this.#unexpected(t);
        this.#advance();
        expectComma = false;
        continue;
      }
      if (expectComma) throw this.#unexpected(t);
      args.push(this.#term(callDepth));
      expectComma = true;
    }
  }
}
