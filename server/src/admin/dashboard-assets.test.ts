import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { listDashboardDir, loadDashboardAssets } from './dashboard-assets.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function makeDist(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'galley-dash-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe('the dashboard assets', () => {
  it('refuses files without an index.html when loaded', () => {
    const dir = makeDist({ 'assets/app.js': 'x' });
    expect(() => loadDashboardAssets(listDashboardDir(dir))).toThrow(GalleyError);
  });

  it('reads a file at its first request, not at load, and keeps it', () => {
    const dir = makeDist({ 'index.html': '<p>old</p>', 'assets/app.js': 'let a = 1;' });
    const assets = loadDashboardAssets(listDashboardDir(dir));
    writeFileSync(join(dir, 'index.html'), '<p>new</p>');
    const first = assets.get('index.html');
    expect(text(first?.body)).toBe('<p>new</p>');
    expect(first?.contentType).toBe('text/html; charset=utf-8');
    writeFileSync(join(dir, 'index.html'), '<p>newer</p>');
    expect(assets.get('index.html')).toBe(first);
    expect(assets.get('assets/app.js')?.immutable).toBe(true);
  });

  it('takes the build\'s compressed copies as bodies and never serves them under their own names', () => {
    const js = `export const big = ${JSON.stringify('y'.repeat(400))};`;
    const dir = makeDist({ 'index.html': '<p></p>', 'assets/app.js': js, 'assets/app.js.br': 'brotli bytes' });
    const assets = loadDashboardAssets(listDashboardDir(dir));
    const asset = assets.get('assets/app.js');
    expect(text(asset?.brotli)).toBe('brotli bytes');
    // no .gz copy: made once here
    expect(text(gunzipSync(asset!.gzip!))).toBe(js);
    expect(assets.get('assets/app.js.br')).toBeUndefined();
  });

  it('answers undefined for paths the build has no file at, object keys included', () => {
    const assets = loadDashboardAssets(listDashboardDir(makeDist({ 'index.html': '<p></p>' })));
    for (const path of ['missing.js', '__proto__', 'constructor', 'toString', '']) expect(assets.get(path)).toBeUndefined();
  });
});
