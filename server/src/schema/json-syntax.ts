/**
 * JSON.parse with a usable error: engines word (and place) syntax errors differently, so on failure
 * a small scanner finds the first bad character and reports it by line and column.
 */

export interface JsonSyntaxProblem {
  line: number;
  column: number;
  message: string;
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; problem: JsonSyntaxProblem };

export function parseJsonText(text: string): JsonParseResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // editors may write a BOM
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    const { offset, message } = locateJsonError(body);
    const before = body.slice(0, offset).split('\n');
    return { ok: false, problem: { line: before.length, column: before[before.length - 1]!.length + 1, message } };
  }
}

function locateJsonError(s: string): { offset: number; message: string } {
  let i = 0;
  const describe = () => (i >= s.length ? 'end of file' : JSON.stringify(s[i]));
  const fail = (expected: string): never => {
    throw { offset: i, message: `expected ${expected}, found ${describe()}` };
  };
  const skip = () => {
    while (i < s.length && ' \t\n\r'.includes(s[i]!)) i++;
  };
  const value = (): void => {
    skip();
    const c = s[i];
    if (c === '{') return container('}', true);
    if (c === '[') return container(']', false);
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) if (s.startsWith(word, i)) return void (i += word.length);
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(s.slice(i, i + 400));
    if (m && m[0] !== '' && m[0] !== '-') return void (i += m[0].length);
    fail('a value');
  };
  const string = (): void => {
    i++;
    while (i < s.length && s[i] !== '"') {
      if (s.charCodeAt(i) < 0x20) fail('a closing quote (control characters must be escaped)');
      if (s[i] === '\\') {
        i++;
        if (s[i] === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) i += 4;
        else if (!'"\\/bfnrt'.includes(s[i] ?? 'x')) fail('a valid escape');
      }
      i++;
    }
    if (i >= s.length) fail('a closing quote');
    i++;
  };
  const container = (close: string, isObject: boolean): void => {
    i++;
    skip();
    if (s[i] === close) return void i++;
    for (;;) {
      if (isObject) {
        skip();
        if (s[i] !== '"') fail(s[i] === close ? 'a property name (no trailing commas in JSON)' : 'a property name in double quotes');
        string();
        skip();
        if (s[i] !== ':') fail("':'");
        i++;
      }
      value();
      skip();
      if (s[i] === ',') {
        i++;
        skip();
        if (s[i] === close) fail(isObject ? 'a property name (no trailing commas in JSON)' : 'a value (no trailing commas in JSON)');
        continue;
      }
      if (s[i] === close) return void i++;
      fail(`',' or '${close}'`);
    }
  };
  try {
    value();
    skip();
    if (i < s.length) fail('the end of the file');
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'offset' in err) return err as { offset: number; message: string };
    throw err;
  }
  return { offset: 0, message: 'invalid JSON' }; // JSON.parse failed for a reason the scanner does not model
}
