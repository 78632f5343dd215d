/**
 * Random strings that match a regular expression (a text field's `autogeneratePattern`, e.g.
 * `[a-z0-9]{15}`). Supports literals, escapes, classes, `.`, groups, `|` and quantifiers; unbounded
 * quantifiers repeat at most 10 extra times. Anchors are ignored.
 */
import { randomInt } from 'node:crypto';

type Node =
  | { kind: 'chars'; set: string }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number };

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const WORD = UPPER + LOWER + DIGITS + '_';
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
const CLASS_ESCAPES: Record<string, string> = { d: DIGITS, w: WORD, s: ' \t\n\r' };
const UNBOUNDED_EXTRA = 10;

/** Throws when the pattern cannot be read; check options with it once at load time. */
// process-wide on purpose: a pure cache keyed by the pattern's text (the same answer for any app)
const parsed = new Map<string, Node>();

/** Patterns come from the schema (a handful), and every create uses one: parse each once. */
export function generateFromPattern(pattern: string): string {
  let node = parsed.get(pattern);
  if (!node) {
    node = parsePattern(pattern);
    if (parsed.size < 1000) parsed.set(pattern, node);
  }
  return emit(node);
}

export function parsePattern(pattern: string): Node {
  const src = pattern.replace(/^\(\?[imsU]+\)/, '');
  let pos = 0;

  const fail = (what: string): never => {
    throw new Error(`${what} at ${pos} in ${JSON.stringify(pattern)}`);
  };

  const readEscape = (inClass: boolean): string => {
    const c = src[pos++];
    if (c === undefined) fail('trailing backslash');
    if (CLASS_ESCAPES[c!]) return CLASS_ESCAPES[c!]!;
    if (/[DWS]/.test(c!)) return PRINTABLE.split('').filter((ch) => !CLASS_ESCAPES[c!.toLowerCase()]!.includes(ch)).join('');
    if (c === 'n') return '\n';
    if (c === 't') return '\t';
    if (/[a-zA-Z0-9]/.test(c!) && !inClass) fail(`unsupported escape \\${c}`);
    return c!;
  };

  const readClass = (): Node => {
    const negate = src[pos] === '^';
    if (negate) pos++;
    let set = '';
    let first = true;
    while (pos < src.length && (src[pos] !== ']' || first)) {
      first = false;
      let from = src[pos++]!;
      if (from === '\\') {
        const esc = readEscape(true);
        if (esc.length > 1) {
          set += esc;
          continue;
        }
        from = esc;
      }
      if (src[pos] === '-' && src[pos + 1] !== undefined && src[pos + 1] !== ']') {
        pos++;
        let to = src[pos++]!;
        if (to === '\\') to = readEscape(true);
        if (to.charCodeAt(0) < from.charCodeAt(0)) fail('bad class range');
        for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) set += String.fromCharCode(c);
      } else set += from;
    }
    if (src[pos] !== ']') fail('unterminated character class');
    pos++;
    if (negate) set = PRINTABLE.split('').filter((ch) => !set.includes(ch)).join('');
    if (set === '') fail('empty character class');
    return { kind: 'chars', set: [...new Set(set)].join('') };
  };

  const readAtom = (): Node | null => {
    const c = src[pos++]!;
    if (c === '(') {
      if (src.startsWith('?:', pos)) pos += 2;
      else if (src[pos] === '?') fail('unsupported group');
      const inner = readAlt();
      if (src[pos] !== ')') fail('unterminated group');
      pos++;
      return inner;
    }
    if (c === '[') return readClass();
    if (c === '.') return { kind: 'chars', set: PRINTABLE };
    if (c === '\\') return { kind: 'chars', set: readEscape(false) };
    if (c === '^' || c === '$') return null;
    if ('*+?{)'.includes(c)) fail(`unexpected ${JSON.stringify(c)}`);
    return { kind: 'chars', set: c };
  };

  const readQuantifier = (node: Node): Node => {
    const c = src[pos];
    if (c === '*' || c === '+' || c === '?') {
      pos++;
      if (src[pos] === '?') pos++; // lazy makes no difference here
      const min = c === '+' ? 1 : 0;
      return { kind: 'repeat', node, min, max: c === '?' ? 1 : min + UNBOUNDED_EXTRA };
    }
    const m = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(src.slice(pos)) : null;
    if (!m) return node;
    pos += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? min + UNBOUNDED_EXTRA : Number(m[3]);
    if (max < min || max > 1000) fail('bad repeat count');
    return { kind: 'repeat', node, min, max };
  };

  const readSeq = (): Node => {
    const items: Node[] = [];
    while (pos < src.length && src[pos] !== '|' && src[pos] !== ')') {
      const atom = readAtom();
      if (atom) items.push(readQuantifier(atom));
    }
    return { kind: 'seq', items };
  };

  const readAlt = (): Node => {
    const options = [readSeq()];
    while (src[pos] === '|') {
      pos++;
      options.push(readSeq());
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  };

  const root = readAlt();
  if (pos < src.length) fail(`unexpected ${JSON.stringify(src[pos])}`);
  return root;
}

function emit(node: Node): string {
  switch (node.kind) {
    case 'chars':
      return node.set[randomInt(node.set.length)]!;
    case 'seq':
      return node.items.map(emit).join('');
    case 'alt':
      return emit(node.options[randomInt(node.options.length)]!);
    case 'repeat': {
      const n = node.min + randomInt(node.max - node.min + 1);
      let out = '';
      for (let i = 0; i < n; i++) out += emit(node.node);
      return out;
    }
  }
}
