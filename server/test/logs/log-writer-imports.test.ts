// The log writer thread loads its own module graph: each package it reaches is loaded and kept again on that thread
// (Kysely through open-aux.ts cost a running writer ~1.5 MB of RSS in the binary, db/aux-connection.ts).
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', '..', 'src');

/** Every module `entry` reaches through value imports (type-only imports are erased by the build). */
function reachedFrom(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)(?!\s+type\b)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) stack.push(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

describe('the log writer thread', () => {
  it('loads no query builder, no HTTP framework and none of the server: only the log files, the driver and node: modules', () => {
    const { files, packages } = reachedFrom(join(SRC, 'logs', 'log-writer-worker.ts'));
    const rels = [...files].map((f) => relative(SRC, f));
    // the walk itself works: the files that write the rows are reached
    expect(rels).toEqual(expect.arrayContaining(['logs/log-rows.ts', 'logs/log-ring.ts', 'db/aux-connection.ts', 'db/driver.ts']));
    expect([...packages].filter((p) => !p.startsWith('node:') && !p.startsWith('bun:'))).toEqual([]);
    expect(rels.filter((r) => !/^(logs|lib|db\/(aux-connection|driver)\.ts$|errors\.ts$)/.test(r))).toEqual([]);
  });
});
