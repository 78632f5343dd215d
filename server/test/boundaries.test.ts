// Dependency direction (docs/ARCHITECTURE.md, "Domains inside server/src"), checked on every import of every file under server/src.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');
const SDK = resolve(import.meta.dirname, '..', '..', 'sdk', 'src');

/** Lower layers first; a file may import its own layer or lower ones. */
const LAYERS: string[][] = [
  ['lib', 'errors.ts'],
  ['config.ts', 'schema', 'query', 'hooks', 'core.ts', 'lifecycle.ts'],
  ['db'],
  ['rules'],
  ['records'],
  ['auth'],
  ['files', 'realtime', 'batch'],
  ['admin', 'logs', 'cron', 'backups', 'import', 'migrate-data'],
  ['http', 'index.ts', 'hooks-file', 'postgres-start.ts'],
];

function layerOf(path: string): number {
  const top = path.split('/')[0]!;
  const i = LAYERS.findIndex((names) => names.includes(top));
  if (i < 0) throw new Error(`${path} is in no layer: add its folder to LAYERS`);
  return i;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.case.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

const files = sourceFiles(SRC).map((f) => ({ file: f, rel: relative(SRC, f), imports: importsOf(f) }));

describe('server/src boundaries', () => {
  it('imports point down the layers (routes.ts may use http/route-kit.ts)', () => {
    const violations: string[] = [];
    for (const { file, rel, imports } of files) {
      for (const spec of imports.filter((s) => s.startsWith('.'))) {
        const target = relative(SRC, resolve(dirname(file), spec));
        // the package's own version (backups/manifest.ts)
        if (target === '../package.json') continue;
        if (target.startsWith('..')) {
          violations.push(`${rel} → ${spec} (outside server/src)`);
          continue;
        }
        if (rel.endsWith('routes.ts') && target === 'http/route-kit.ts') continue;
        // core.ts only names the types of the bag every service receives (checked below).
        if (rel === 'core.ts') continue;
        if (layerOf(target) > layerOf(rel)) violations.push(`${rel} → ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('core.ts imports types only', () => {
    const text = readFileSync(join(SRC, 'core.ts'), 'utf8');
    expect(text.match(/^import (?!type ).*$/gm) ?? []).toEqual([]);
  });

  it('query/ never imports schema/ or records/', () => {
    const bad = files.filter((f) => f.rel.startsWith('query/')).flatMap((f) =>
      f.imports.filter((s) => /(^|\/)(schema|records)\//.test(relative(SRC, resolve(dirname(f.file), s)))).map((s) => `${f.rel} → ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it('only routes.ts files and http/ import elysia', () => {
    const bad = files.filter((f) => f.imports.includes('elysia') && !f.rel.endsWith('routes.ts') && !f.rel.startsWith('http/')).map((f) => f.rel);
    expect(bad).toEqual([]);
  });

  it('only db/driver.ts names bun:sqlite or better-sqlite3', () => {
    const bad = files
      .filter((f) => f.rel !== 'db/driver.ts' && /['"](bun:sqlite|better-sqlite3)['"]/.test(readFileSync(f.file, 'utf8')))
      .map((f) => f.rel);
    expect(bad).toEqual([]);
  });

  it('only db/postgres-driver.ts names pg (the PostgreSQL seam, as driver.ts is SQLite\'s)', () => {
    const bad = files.filter((f) => f.rel !== 'db/postgres-driver.ts' && f.imports.some((s) => s === 'pg' || s.startsWith('pg/'))).map((f) => f.rel);
    expect(bad).toEqual([]);
  });

  it('a SQLite start loads none of what serves PostgreSQL: index.ts reaches it only through import()', () => {
    const staticImports = (file: string) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)(?!\s+type\b)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)].map((m) => resolve(dirname(file), m[1]!));
    const reached = new Set<string>();
    const stack = [join(SRC, 'index.ts')];
    while (stack.length > 0) {
      const file = stack.pop()!;
      if (reached.has(file) || !file.endsWith('.ts')) continue;
      reached.add(file);
      stack.push(...staticImports(file));
    }
    const served = ['postgres-start.ts', 'db/open-postgres-database.ts', 'db/postgres-writer.ts', 'db/postgres-listener.ts', 'logs/postgres-log-service.ts', 'realtime/postgres-fanout.ts', 'backups/postgres-backups.ts'];
    expect(served.filter((rel) => reached.has(join(SRC, rel)))).toEqual([]);
    expect(reached.size).toBeGreaterThan(100); // the walk itself works
  });

  it('sdk/ imports nothing from server/', () => {
    const bad = sourceFiles(SDK).flatMap((f) => importsOf(f).filter((s) => s.includes('server/') || s.startsWith('@galley/server')));
    expect(bad).toEqual([]);
  });
});
