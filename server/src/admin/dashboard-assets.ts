/**
 * The dashboard's built files (admin-ui/dist), held in memory once asked for: from a directory (library mode,
 * `dashboardDir`) or from the map of embedded files the binary carries (`dashboardFiles`, written by
 * scripts/build.ts). Each text file keeps its gzip and brotli bodies, precompressed by the build (`x.js.gz`,
 * `x.js.br`) or made once here. A file is read on its first request, not at start: a server whose dashboard
 * nobody opens never holds it (about 2 MB with the compressed copies) nor spends its start reading it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { GalleyError } from '../errors.ts';

/** bytes that own their ArrayBuffer (what a Response body takes) */
type Bytes = Uint8Array<ArrayBuffer>;

export interface DashboardAsset {
  body: Bytes;
  gzip?: Bytes;
  brotli?: Bytes;
  contentType: string;
  /** Vite's content-hashed output (`assets/…`): cached for a year, never revalidated */
  immutable: boolean;
}

/** relative path (`index.html`, `assets/index-3f9a.js`) → asset; undefined for a path the build has no file at */
export interface DashboardAssets {
  get(path: string): DashboardAsset | undefined;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  txt: 'text/plain; charset=utf-8',
  map: 'application/json',
  wasm: 'application/wasm',
};
/** worth compressing: text and SVG; images and fonts are compressed already */
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg|application\/wasm)/;

function contentTypeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return TYPES[ext] ?? 'application/octet-stream';
}

/** Every file under `dir`, as relative path (forward slashes) → absolute path. */
export function listDashboardDir(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = join(entry.parentPath, entry.name);
    files[relative(dir, abs).split(sep).join('/')] = abs;
  }
  return files;
}

/** The files (relative path → readable path), each read into memory with its compressed bodies on first use. */
export function loadDashboardAssets(files: Readonly<Record<string, string>>): DashboardAssets {
  if (!files['index.html']) throw new GalleyError('invalid', 'the dashboard files have no index.html');
  const loaded = new Map<string, DashboardAsset>();
  return {
    get(rel) {
      const known = loaded.get(rel);
      if (known) return known;
      // the compressed copies are bodies of their file, never served under their own name
      if (rel.endsWith('.gz') || rel.endsWith('.br') || !Object.hasOwn(files, rel)) return undefined;
      const asset = readDashboardAsset(files, rel);
      loaded.set(rel, asset);
      return asset;
    },
  };
}

/** node:zlib only for a file without its precompressed copies (a dashboardDir not built by the build): not at start */
let zlib: typeof import('node:zlib') | undefined;
const loadZlib = () => (zlib ??= createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib'));

function readDashboardAsset(files: Readonly<Record<string, string>>, rel: string): DashboardAsset {
  const read = (path: string | undefined): Bytes | undefined => (path ? new Uint8Array(readFileSync(path)) : undefined);
  const body = read(files[rel])!;
  const contentType = contentTypeOf(rel);
  const asset: DashboardAsset = { body, contentType, immutable: rel.startsWith('assets/') };
  if (COMPRESSIBLE.test(contentType) && body.length > 256) {
    asset.gzip = read(files[`${rel}.gz`]) ?? new Uint8Array(loadZlib().gzipSync(body, { level: 9 }));
    asset.brotli = read(files[`${rel}.br`]) ?? new Uint8Array(loadZlib().brotliCompressSync(body));
  }
  return asset;
}

/** The body to send for this Accept-Encoding: brotli, else gzip, else identity (q=0 refuses a coding). */
export function pickEncoding(asset: DashboardAsset, acceptEncoding: string | null): { body: Bytes; encoding?: 'br' | 'gzip' } {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) accepted.add(name);
  }
  if (asset.brotli && (accepted.has('br') || accepted.has('*'))) return { body: asset.brotli, encoding: 'br' };
  if (asset.gzip && (accepted.has('gzip') || accepted.has('*'))) return { body: asset.gzip, encoding: 'gzip' };
  return { body: asset.body };
}
