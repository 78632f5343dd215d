// A malformed hooks file stops the start with a message naming the file, what is wrong, and the fix; under Node 20 a
// .ts hooks file path gets the message that says how to load it instead.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createGalley } from '../../src/index.ts';
import { explainHooksImportFailure, HooksFileError } from '../../src/hooks-file/load-hooks.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

const isBun = Boolean(process.versions.bun);
const root = mkdtempSync(join(tmpdir(), 'galley-hooks-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function write(name: string, text: string): string {
  const path = join(root, `${++n}-${name}`);
  writeFileSync(path, text);
  return path;
}

async function startWith(hooks: string): Promise<string> {
  const dir = join(root, `data-${++n}`);
  try {
    const galley = await createGalley({ dir, schema: [], hooks, logger: createTestLogger() });
    await galley.close();
    return 'started';
  } catch (err) {
    expect(err).toBeInstanceOf(HooksFileError);
    return (err as Error).message;
  }
}

const FIX = 'a hooks file default-exports one function';

describe('a malformed hooks file', () => {
  it.each([
    ['no default export', 'export const x = 1;\n', 'it has no default export'],
    ['a default that is not a function', 'export default { onRecordCreate() {} };\n', 'its default export is a object, not a function'],
  ])('%s', async (_what, text, expected) => {
    const path = write('hooks.ts', text);
    const message = await startWith(path);
    expect(message).toContain(`hooks file ${path}: ${expected}`);
    expect(message).toContain(FIX);
  });

  it('a throw while registering, with where it was thrown', async () => {
    const path = write('hooks.ts', 'export default (app) => {\n  app.onRecordCreate(async (e) => e.next());\n  throw new Error("boom");\n};\n');
    const message = await startWith(path);
    expect(message).toContain(`hooks file ${path}: registering its hooks threw: boom`);
    expect(message).toMatch(new RegExp(`at ${path.replaceAll('.', '\\.')}:3`));
  });

  it('a handler that is not a function', async () => {
    const message = await startWith(write('hooks.ts', "export default (app) => { app.onRecordCreate('posts'); };\n"));
    expect(message).toContain('a hook handler must be a function, got string');
  });

  it('a syntax error', async () => {
    const path = write('hooks.ts', 'export default (app) => {{\n');
    const message = await startWith(path);
    expect(message).toContain(`hooks file ${path}: importing it failed:`);
    expect(message).toContain('Fix the error in the file');
  });

  it('a --hooks path that does not exist', async () => {
    const path = join(root, 'missing.hooks.ts');
    expect(await startWith(path)).toContain(`hooks file ${path}: no such file`);
  });
});

// Under vitest, an import() in our source is vitest's (it compiles .ts itself), so Node's own import is reached
// through a CommonJS file loaded by Node's require: the error a library user on Node 20 gets, and its message.
describe.skipIf(isBun)('a TypeScript hooks file path under Node 20', () => {
  it('is refused with a message naming the file, Bun, .js and passing the function', async () => {
    const path = write('galley.hooks.ts', 'export default (app: unknown) => {};\n');
    const nativeImport = createRequire(import.meta.url)(write('native-import.cjs', 'module.exports = (s) => import(s);\n')) as (s: string) => Promise<unknown>;
    const err = await nativeImport(pathToFileURL(path).href).then(() => undefined, (e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ERR_UNKNOWN_FILE_EXTENSION');
    const message = new HooksFileError(path, explainHooksImportFailure(path, err)).message;
    expect(message).toContain(`hooks file ${path}: cannot import a TypeScript hooks file under Node ${process.version}`);
    expect(message).toContain('createGalley({ hooks: setup })');
  });
});
