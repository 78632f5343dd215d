import { describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { listIdentifiers, type Expr, type Term } from './ast.ts';
import { FilterSyntaxError, parseFilter } from './parser.ts';

/** A compact rendering of a tree: and/or as nested arrays, comparisons as "l op r". */
function shape(e: Expr): unknown {
  if (e.type === 'comparison') return `${term(e.left)} ${e.op} ${term(e.right)}`;
  return { [e.type]: e.items.map(shape) };
}
function term(t: Term): string {
  if (t.type === 'identifier') return t.name;
  if (t.type === 'number') return `#${t.value}`;
  if (t.type === 'text') return JSON.stringify(t.value);
  return `${t.name}(${t.args.map(term).join(',')})`;
}

function errorOf(input: string): FilterSyntaxError {
  try {
    parseFilter(input);
  } catch (err) {
    if (err instanceof FilterSyntaxError) return err;
    throw err;
  }
  throw new Error(`parsed: ${input}`);
}

describe('parseFilter: trees', () => {
  it.each([
    ['a = 1', 'a = #1'],
    ["'a' != b", '"a" != b'],
    ['a=1&&b=2', { and: ['a = #1', 'b = #2'] }],
    // AND binds tighter than OR (wire: PocketBase writes its flat join list into SQL as is)
    ['a = 1 || b = 2 && c = 3', { or: ['a = #1', { and: ['b = #2', 'c = #3'] }] }],
    ['a = 1 && b = 2 || c = 3', { or: [{ and: ['a = #1', 'b = #2'] }, 'c = #3'] }],
    ['(a = 1 || b = 2) && c = 3', { and: [{ or: ['a = #1', 'b = #2'] }, 'c = #3'] }],
    ['((a = 1))', 'a = #1'],
    ['a ?!~ "x" || b ?>= -1.5', { or: ['a ?!~ "x"', 'b ?>= #-1.5'] }],
    ['n > -.5', 'n > #-0.5'],
    ['@request.auth.id != "" && rel.tags:each ?= #x', { and: ['@request.auth.id != ""', 'rel.tags:each ?= #x'] }],
    ['geoDistance(loc.lon, loc.lat, 23.32, 42.69) < 25', 'geoDistance(loc.lon,loc.lat,#23.32,#42.69) < #25'],
    ["strftime('%Y', created,) = '2024'", 'strftime("%Y",created) = "2024"'],
    ['f(g(h(x))) = 1', 'f(g(h(x))) = #1'],
    ['a = 1 // comment ) (\n && b = 2', { and: ['a = #1', 'b = #2'] }],
    ['( a = 1 // comment with ) inside\n)', 'a = #1'],
    ['a = 1\r\n&& b = 2', { and: ['a = #1', 'b = #2'] }],
    ['f(\n // c\n a , 1 ) = 1', 'f(a,#1) = #1'],
  ])('%s', (input, expected) => {
    expect(shape(parseFilter(input))).toEqual(expected);
  });

  it('unescapes only the matching quote; every other backslash stays', () => {
    const value = (input: string) => {
      const e = parseFilter(`a = ${input}`);
      return e.type === 'comparison' && e.right.type === 'text' ? e.right.value : undefined;
    };
    expect(value(`'it\\'s'`)).toBe("it's");
    expect(value(`"say \\"hi\\""`)).toBe('say "hi"');
    expect(value(`'a\\"b'`)).toBe('a\\"b');
    expect(value(`"a\\nb\\\\c"`)).toBe('a\\nb\\\\c');
    expect(value(`"multi\nline"`)).toBe('multi\nline');
  });

  it('records positions and lists identifiers in source order', () => {
    const e = parseFilter('a = 1 && (b ~ c || f(d) = "x")');
    expect(listIdentifiers(e).map((t) => [t.name, t.pos])).toEqual([
      ['a', 0],
      ['b', 10],
      ['c', 14],
      ['d', 21],
    ]);
  });

  it('returns the cached tree for the same text', () => {
    expect(parseFilter('cached = 1')).toBe(parseFilter('cached = 1'));
  });
});

describe('parseFilter: errors say what and where', () => {
  it.each([
    ['title = "x")', "unexpected ')' at 11"],
    ['title =', 'unexpected end of filter at 7'],
    ['title', 'expected an operator, got end of filter at 5'],
    ['(title = 1', 'unexpected end of filter at 10'],
    ['title = "abc', 'unterminated text at 8'],
    ['title = "abc\\"', 'unterminated text at 8'],
    ['a. = 1', 'invalid identifier "a." at 0'],
    ['a: = 1', 'invalid identifier "a:" at 0'],
    ['@ = 1', 'invalid identifier "@" at 0'],
    ['a === 1', 'invalid operator "===" at 2'],
    ['a =! 1', 'invalid operator "=!" at 2'],
    ['a = 1 & b = 2', 'invalid join operator "&" at 6'],
    ['a = 1 ||| b = 2', 'invalid join operator "|||" at 6'],
    ['a = 1 b = 2', "unexpected 'b' at 6"],
    ['a = 1 && ', 'unexpected end of filter at 9'],
    ['()', 'empty parentheses at 0'],
    ['a = 1 && ( )', 'empty parentheses at 9'],
    ['', 'empty filter expression at 0'],
    ['  // only a comment', 'empty filter expression at 19'],
    ['a = 1 / 2', "unexpected '/' at 6"],
    ['a = $', "unexpected '$' at 4"],
    ['a = `b`', "unexpected '`' at 4"],
    ['a = ;', "unexpected ';' at 4"],
    ['a = é', 'unexpected "é" at 4'],
    ['a = -', 'invalid number "-" at 4'],
    ['a = 1.', 'invalid number "1." at 4'],
    ['a = (b = 1)', "unexpected '(' at 4"],
    ['(a = 1)(b = 2)', "unexpected '(' at 7"],
    ['a = 1,', "unexpected ',' at 5"],
    ['f(,a) = 1', "unexpected ',' at 2"],
    ['f(a b) = 1', "unexpected 'b' at 4"],
    ['f(a = 1', "unexpected '=' at 4"],
    ['f(a', 'unterminated call of "f" at 0'],
    ['f(g(h(i(x)))) = 1', 'function calls nested too deeply (max 3) at 6'],
    ['f((a)) = 1', "unexpected '(' at 2"],
    ['"a" "b"', 'unexpected text at 4'],
  ])('%j → %s', (input, message) => {
    const err = errorOf(input);
    expect(err.message).toBe(message);
    expect(err).toBeInstanceOf(GalleyError);
    expect(err.kind).toBe('invalid');
    expect(err.position).toBe(Number(message.slice(message.lastIndexOf(' ') + 1)));
  });
});

describe('parseFilter: hostile input', () => {
  it('refuses 100k opening parentheses fast, without deep recursion', () => {
    const started = performance.now();
    const err = errorOf('('.repeat(100_000));
    expect(err.message).toBe('parentheses nested too deeply (max 64) at 64');
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('accepts 64 nested groups', () => {
    expect(shape(parseFilter('('.repeat(64) + 'a = 1' + ')'.repeat(64)))).toBe('a = #1');
  });

  it('handles a 1 MB filter in linear time', () => {
    const started = performance.now();
    const big = parseFilter(`title = "${'x'.repeat(1024 * 1024)}"`);
    expect(big.type).toBe('comparison');
    const err = errorOf('a = 1 && '.repeat(120_000) + 'a = 1');
    expect(err.message).toBe('too many expressions (max 200) at 1800');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('allows 200 comparisons and refuses the 201st', () => {
    expect(() => parseFilter(Array(200).fill('a = 1').join(' || '))).not.toThrow();
    expect(errorOf(Array(201).fill('a = 1').join(' || ')).message).toMatch(/^too many expressions \(max 200\)/);
  });

  it.each([
    `title = "'; DROP TABLE x; --"`,
    `title = '"); DELETE FROM posts; --'`,
    'title = "x" || 1=1',
    "title = '\\' OR 1=1 --'",
  ])('keeps injection payloads as plain values: %s', (input) => {
    // the only identifier is the field; everything else is a bound literal
    expect(listIdentifiers(parseFilter(input)).map((t) => t.name)).toEqual(['title']);
  });

  it.each([
    ['title; DROP TABLE x = 1', "unexpected ';' at 5"],
    ['") OR 1=1 --', 'unterminated text at 0'],
    ['title = "") OR 1=1 --', "unexpected ')' at 10"],
    ['`title` = 1', "unexpected '`' at 0"],
    ['title = 1; DROP TABLE posts', "unexpected ';' at 9"],
    ['title = 1 -- comment', 'invalid number "-" at 10'],
    ['title = 1 /* c */', "unexpected '/' at 10"],
  ])('refuses injection payloads as syntax: %s', (input, message) => {
    const err = errorOf(input);
    expect(err.message).toBe(message);
    expect(err.message).not.toMatch(/DROP|SELECT|OR 1=1/);
  });
});
