// The --out file of `galley types` / `serve --types`: written when its text changes, left alone (same inode, same
// mtime) when it would not, and named in the header relative to where it is written; no schema file is a usage error.
// (What the command writes is tested through the binary in cli/test/ts-schema.e2e.test.ts: under vitest the
// action's import of @galley/server resolves to server/dist, which may be stale or missing.)
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_USAGE, runCli } from '../program.ts';
import { describeSchemaPath, writeTypesFile } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'galley-types-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeTypesFile', () => {
  it('writes a new or changed text and leaves an identical file untouched', () => {
    const path = join(dir, 'schema.ts');
    expect(writeTypesFile(path, 'export const schema = {} as const;\n')).toBe(true);
    const first = statSync(path);
    expect(writeTypesFile(path, 'export const schema = {} as const;\n')).toBe(false);
    const again = statSync(path);
    expect([again.ino, again.mtimeMs]).toEqual([first.ino, first.mtimeMs]);
    expect(writeTypesFile(path, 'export const schema = { a: 1 } as const;\n')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('export const schema = { a: 1 } as const;\n');
  });
});

describe('describeSchemaPath', () => {
  it('is relative to the output file, with forward slashes', () => {
    expect(describeSchemaPath(join(dir, 'schema', 'app.schema.ts'), join(dir, 'src', 'types.ts'))).toBe('../schema/app.schema.ts');
    expect(describeSchemaPath(join(dir, 'app.json'), join(dir, 'types.ts'))).toBe('app.json');
  });
});

describe('galley types (in process)', () => {
  const run = async (...args: string[]) => {
    let err = '';
    const code = await runCli(['node', 'galley', ...args], { writeOut: () => undefined, writeErr: (text) => { err += text; } });
    return { code, err };
  };

  it('without --schema (or GALLEY_SCHEMA) is a usage error', async () => {
    const saved = process.env['GALLEY_SCHEMA'];
    delete process.env['GALLEY_SCHEMA'];
    try {
      const r = await run('types');
      expect(r.code).toBe(EXIT_USAGE);
      expect(r.err).toContain('error: no schema file: pass --schema <file> or set GALLEY_SCHEMA');
    } finally {
      if (saved !== undefined) process.env['GALLEY_SCHEMA'] = saved;
    }
  });
});
