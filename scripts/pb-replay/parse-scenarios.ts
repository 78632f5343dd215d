/**
 * Reads PocketBase's `apis/*_test.go` and takes out the `tests.ApiScenario` literals that can be replayed over HTTP
 * as they are written: a literal method, URL, body (a string given to strings.NewReader), headers, status and
 * content fragments, and no BeforeTestFunc / TestAppFactory (those change the app in Go before the request).
 * A small Go tokenizer and a brace matcher, no Go toolchain: what it cannot read is counted as not replayable,
 * with the reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface PbScenario {
  file: string;
  name: string;
  method: string;
  url: string;
  body?: string;
  headers: Record<string, string>;
  status: number;
  contains: string[];
  notContains: string[];
}

export interface SkippedScenario {
  file: string;
  name: string;
  reason: string;
}

type Token = { kind: 'str' | 'ident' | 'num' | 'punct'; text: string; value?: string };

/** Go source → tokens (comments dropped; interpreted strings decoded as JSON strings, raw strings as they are). */
function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith('//', i)) { i = src.indexOf('\n', i); if (i < 0) break; continue; }
    if (src.startsWith('/*', i)) { i = src.indexOf('*/', i) + 2; continue; }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      out.push({ kind: 'str', text: src.slice(i, end + 1), value: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      const text = src.slice(i, j + 1);
      let value: string | undefined;
      try {
        value = c === '"' ? (JSON.parse(text.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')) as string) : undefined;
      } catch {
        value = undefined;
      }
      out.push({ kind: c === '"' ? 'str' : 'num', text, value });
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200));
    if (word) { out.push({ kind: 'ident', text: word[0] }); i += word[0].length; continue; }
    const num = /^[0-9][0-9_.xXa-fA-F]*/.exec(src.slice(i, i + 50));
    if (num) { out.push({ kind: 'num', text: num[0] }); i += num[0].length; continue; }
    out.push({ kind: 'punct', text: c });
    i++;
  }
  return out;
}

const OPEN: Record<string, string> = { '{': '}', '(': ')', '[': ']' };

/** Index of the token closing the bracket at `start`. */
function closing(tokens: Token[], start: number): number {
  let depth = 0;
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i]!.text;
    if (tokens[i]!.kind !== 'punct') continue;
    if (t in OPEN) depth++;
    else if (t === '}' || t === ')' || t === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return tokens.length - 1;
}

/** The `Key: expr` pairs directly inside the braces at [open, close], or null when it is not a keyed literal. */
function fieldsOf(tokens: Token[], open: number, close: number): Map<string, Token[]> | null {
  const fields = new Map<string, Token[]>();
  let i = open + 1;
  while (i < close) {
    const key = tokens[i];
    if (!key || key.kind !== 'ident' || tokens[i + 1]?.text !== ':') return null;
    let j = i + 2;
    const start = j;
    while (j < close && tokens[j]!.text !== ',') j = tokens[j]!.kind === 'punct' && tokens[j]!.text in OPEN ? closing(tokens, j) + 1 : j + 1;
    fields.set(key.text, tokens.slice(start, j));
    i = j + 1;
  }
  return fields;
}

class Unreadable extends Error {}

/** PocketBase's string constants (`core.CollectionNameSuperusers` …) as tests name them, read from its core/*.go. */
const constants = new Map<string, string>();

/** A string expression: literals and `core.X` constants joined with `+`. */
function readString(expr: Token[]): string {
  let out = '';
  let i = 0;
  while (i < expr.length) {
    const t = expr[i]!;
    if (t.kind === 'str' && t.value !== undefined) {
      out += t.value;
      i++;
    } else if (t.kind === 'ident' && expr[i + 1]?.text === '.' && expr[i + 2]?.kind === 'ident' && constants.has(`${t.text}.${expr[i + 2]!.text}`)) {
      out += constants.get(`${t.text}.${expr[i + 2]!.text}`);
      i += 3;
    } else {
      throw new Unreadable(`not a string literal: ${t.text}`);
    }
    if (i < expr.length) {
      if (expr[i]!.text !== '+') throw new Unreadable(`not a string literal: ${expr.map((x) => x.text).join('')}`);
      i++;
    }
  }
  return out;
}

/** `[]string{ "a", "b" + "c" }` → its strings. */
function readStringList(expr: Token[]): string[] {
  if (expr.map((t) => t.text).slice(0, 4).join('') !== '[]string{') throw new Unreadable('not a []string literal');
  const open = 3;
  const close = closing(expr, open);
  const out: string[] = [];
  let part: Token[] = [];
  for (let i = open + 1; i < close; i++) {
    if (expr[i]!.text === ',') { if (part.length) out.push(readString(part)); part = []; continue; }
    part.push(expr[i]!);
  }
  if (part.length) out.push(readString(part));
  return out;
}

function readHeaders(expr: Token[]): Record<string, string> {
  const head = expr.map((t) => t.text).slice(0, 6).join('');
  if (head !== 'map[string]string{') throw new Unreadable('headers are not a map literal');
  const open = 5;
  const close = closing(expr, open);
  const out: Record<string, string> = {};
  let i = open + 1;
  while (i < close) {
    let j = i;
    while (j < close && expr[j]!.text !== ':') j++;
    const key = readString(expr.slice(i, j));
    let k = j + 1;
    while (k < close && expr[k]!.text !== ',') k++;
    out[key] = readString(expr.slice(j + 1, k));
    i = k + 1;
  }
  return out;
}

function readMethod(expr: Token[]): string {
  const text = expr.map((t) => t.text).join('');
  const m = /^http\.Method([A-Za-z]+)$/.exec(text);
  if (m) return m[1]!.toUpperCase();
  return readString(expr).toUpperCase();
}

function readBody(expr: Token[]): string {
  const text = expr.map((t) => t.text);
  if (text.slice(0, 4).join('') !== 'strings.NewReader(') {
    throw new Unreadable('body is not strings.NewReader(literal)');
  }
  const open = expr.findIndex((t) => t.text === '(');
  return readString(expr.slice(open + 1, closing(expr, open)));
}

const SETUP_KEYS = ['BeforeTestFunc', 'TestAppFactory'];

/** Every scenario of one test file: the replayable ones and, for the others, why not. */
export function parseScenarioFile(path: string): { scenarios: PbScenario[]; skipped: SkippedScenario[] } {
  const file = basename(path);
  const tokens = tokenize(readFileSync(path, 'utf8'));
  const scenarios: PbScenario[] = [];
  const skipped: SkippedScenario[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.text !== '{') continue;
    const close = closing(tokens, i);
    const fields = fieldsOf(tokens, i, close);
    if (!fields || !fields.has('Name') || !fields.has('ExpectedStatus') || !fields.has('URL')) continue;
    let name = '?';
    try {
      name = readString(fields.get('Name')!);
    } catch {
      name = fields.get('Name')!.map((t) => t.text).join('');
    }
    const setup = SETUP_KEYS.find((k) => fields.has(k));
    if (setup) {
      skipped.push({ file, name, reason: `${setup} (Go code changes the app first)` });
      i = close;
      continue;
    }
    if (fields.has('Timeout')) {
      skipped.push({ file, name, reason: 'Timeout (a long-running stream)' });
      i = close;
      continue;
    }
    try {
      const status = Number(fields.get('ExpectedStatus')!.map((t) => t.text).join(''));
      if (!Number.isInteger(status)) throw new Unreadable('status is not a number literal');
      scenarios.push({
        file,
        name,
        method: readMethod(fields.get('Method') ?? []),
        url: readString(fields.get('URL')!),
        body: fields.has('Body') ? readBody(fields.get('Body')!) : undefined,
        headers: fields.has('Headers') ? readHeaders(fields.get('Headers')!) : {},
        status,
        contains: fields.has('ExpectedContent') ? readStringList(fields.get('ExpectedContent')!) : [],
        notContains: fields.has('NotExpectedContent') ? readStringList(fields.get('NotExpectedContent')!) : [],
      });
    } catch (err) {
      if (!(err instanceof Unreadable)) throw err;
      skipped.push({ file, name, reason: err.message });
    }
    i = close;
  }
  return { scenarios, skipped };
}

/** All of a PocketBase checkout's `apis/*_test.go`. */
export function parseScenarios(pbCheckout: string): { scenarios: PbScenario[]; skipped: SkippedScenario[] } {
  const core = join(pbCheckout, 'core');
  for (const name of readdirSync(core).filter((n) => n.endsWith('.go') && !n.endsWith('_test.go'))) {
    for (const m of readFileSync(join(core, name), 'utf8').matchAll(/^\s*(?:const\s+)?([A-Z][A-Za-z0-9]*)\s*(?:string\s*)?=\s*"([^"\\]*)"/gm)) {
      constants.set(`core.${m[1]}`, m[2]!);
    }
  }
  const dir = join(pbCheckout, 'apis');
  const scenarios: PbScenario[] = [];
  const skipped: SkippedScenario[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('_test.go')).sort()) {
    const parsed = parseScenarioFile(join(dir, name));
    scenarios.push(...parsed.scenarios);
    skipped.push(...parsed.skipped);
  }
  return { scenarios, skipped };
}
