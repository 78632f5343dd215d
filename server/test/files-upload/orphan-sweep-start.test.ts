// The orphan sweep a start runs is deferred off the first requests (issue 16): it begins a moment after listen(),
// still removes what a crash left, and a close before it begins means it never begins (nothing runs on a closed db).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGalley, type Galley } from '../../src/index.ts';
import { createLogger } from '../../src/lib/log.ts';
import { FILES_SCHEMA } from './harness.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A Galley whose storage holds one file no record names, as a crash between a file's write and its commit leaves. */
async function startWithStray(): Promise<{ galley: Galley; stray: string; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'galley-sweep-start-'));
  dirs.push(dir);
  const lines: string[] = [];
  const galley = await createGalley({ dir, schema: FILES_SCHEMA, logger: createLogger('debug', (line) => lines.push(line)) });
  const docsId = galley.core.schema.findCollection('docs')!.id;
  const key = `${docsId}/nosuchrecord123/gone_abcdefghij.txt`;
  await galley.core.storage.put(key, new TextEncoder().encode('x'));
  return { galley, stray: join(dir, 'storage', key), lines };
}

describe('the orphan sweep of a start', () => {
  it('begins after listen() has returned, and removes the stray file', async () => {
    const { galley, stray, lines } = await startWithStray();
    try {
      await galley.listen('127.0.0.1:0');
      // deferred: nothing of it has run when listen() returns
      expect(existsSync(stray)).toBe(true);
      expect(lines.some((l) => l.includes('orphan file sweep'))).toBe(false);
      const done = () => lines.find((l) => l.includes('orphan file sweep done'));
      for (let i = 0; i < 300 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(done()).toContain('"removed":1');
      expect(existsSync(stray)).toBe(false);
    } finally {
      await galley.close();
    }
  });

  it('never begins when the server closes first', async () => {
    const { galley, stray, lines } = await startWithStray();
    await galley.listen('127.0.0.1:0');
    await galley.close();
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(stray)).toBe(true);
    expect(lines.filter((l) => l.includes('orphan file sweep'))).toEqual([]);
  });
});
