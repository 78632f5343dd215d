// /_/ with a dashboard (library mode: createGalley({ dashboardDir })): its files with a strict CSP, index.html
// revalidated, hashed assets immutable, gzip/brotli bodies by Accept-Encoding (the build's .gz used as it is);
// the confirmation page moves to /_/auth.html. And POST /api/galley/installer, the first-superuser installer.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, type Galley } from '../../src/index.ts';
import { callGalley, runScenario, type Scenario, type ScenarioTarget } from '../helpers/test-galley.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

const SCRIPT = `console.log(${JSON.stringify('dashboard '.repeat(60))});\n`;
let dir: string;
let galley: Galley;
let t: ScenarioTarget;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-dashboard-'));
  const dist = join(dir, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="app"></div><script type="module" src="./assets/index-1a2b3c.js"></script>');
  writeFileSync(join(dist, 'assets', 'index-1a2b3c.js'), SCRIPT);
  // the build's precompressed copy: marked, to prove it is served as it is and not made again
  writeFileSync(join(dist, 'assets', 'index-1a2b3c.js.gz'), gzipSync(SCRIPT + '//precompressed\n'));
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  galley = await createGalley({ dir: join(dir, 'data'), schema: [], dashboardDir: dist, logger: createTestLogger() });
  t = { galley, call: (method, path, opts) => callGalley(galley, method, path, opts) };
});
afterAll(async () => {
  await galley?.close();
  rmSync(dir, { recursive: true, force: true });
});

const raw = (path: string, acceptEncoding: string) => galley.handle(new Request(`http://127.0.0.1:8090${path}`, { headers: { 'Accept-Encoding': acceptEncoding } }));

describe('/_/ serving a dashboard', () => {
  const table: Scenario[] = [
    {
      name: 'GET /_/ is the dashboard index, never cached without revalidation, under a CSP with no inline code',
      method: 'GET', path: '/_/', status: 200, contains: ['<div id="app"></div>'],
      check: (_json, res) => {
        expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(res.headers.get('cache-control')).toBe('no-cache');
        const csp = res.headers.get('content-security-policy') ?? '';
        for (const part of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "object-src 'none'", "frame-ancestors 'self'", "base-uri 'none'"]) expect(csp).toContain(part);
        expect(csp).not.toMatch(/unsafe-(inline|eval)/);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      },
    },
    { name: 'GET /_/index.html is the same', method: 'GET', path: '/_/index.html', status: 200, contains: ['<div id="app"></div>'] },
    {
      name: 'a hashed asset under assets/ is cached for a year, immutable',
      method: 'GET', path: '/_/assets/index-1a2b3c.js', status: 200, contains: ['dashboard dashboard'],
      check: (_json, res) => {
        expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
        expect(res.headers.get('vary')).toBe('Accept-Encoding');
      },
    },
    { name: 'a file outside assets/ is revalidated', method: 'GET', path: '/_/favicon.svg', status: 200, contains: ['<svg'], check: (_j, res) => expect(res.headers.get('cache-control')).toBe('no-cache') },
    { name: 'an unknown file is PocketBase\'s 404', method: 'GET', path: '/_/assets/index-000000.js', status: 404, contains: ['"status":404', "The requested resource wasn't found."] },
    { name: 'the confirmation page for mailed links is at /_/auth.html', method: 'GET', path: '/_/auth.html', status: 200, contains: ['./assets/auth-pages.js'] },
    { name: 'its script still loads', method: 'GET', path: '/_/assets/auth-pages.js', status: 200, contains: ['confirm-password-reset'] },
  ];
  it.each(table)('$name', (s) => runScenario(t, s).then(() => undefined));

  it('chooses brotli, then gzip (the build\'s .gz as it is), then identity, by Accept-Encoding; q=0 refuses a coding', async () => {
    const br = await raw('/_/assets/index-1a2b3c.js', 'gzip, deflate, br');
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(SCRIPT);
    const gz = await raw('/_/assets/index-1a2b3c.js', 'gzip, br;q=0');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(SCRIPT + '//precompressed\n');
    const plain = await raw('/_/assets/index-1a2b3c.js', 'identity');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(SCRIPT);
    // a body too small to gain is sent as it is, whatever is accepted
    const icon = await raw('/_/favicon.svg', 'br, gzip');
    expect(icon.headers.get('content-encoding')).toBeNull();
  });

  it('a dashboardDir without index.html stops createGalley with what to do', async () => {
    await expect(createGalley({ dir: join(dir, 'data2'), schema: [], dashboardDir: join(dir, 'nothing'), logger: createTestLogger() })).rejects.toThrow(/has no index\.html \(build it/);
  });
});

describe('POST /api/galley/installer', () => {
  let token = '';
  const body = (extra: Record<string, unknown>) => () => ({ token, email: 'first@example.com', password: 'first-pass-1', passwordConfirm: 'first-pass-1', ...extra });
  const refusedToken = 'The installer link is invalid, used or expired.';
  const table: Scenario[] = [
    { name: 'no token: 400, nothing created', method: 'POST', path: '/api/galley/installer', body: body({ token: '' }), status: 400, contains: ['The installer token is missing'], events: [] },
    { name: 'before a token is issued every token is refused', method: 'POST', path: '/api/galley/installer', body: body({ token: 'guess' }), status: 401, contains: [refusedToken], events: [] },
    { name: 'a wrong token is refused', method: 'POST', path: '/api/galley/installer', body: () => ({ ...body({})(), token: token.slice(1) + 'x' }), status: 401, contains: [refusedToken], events: [] },
    { name: 'the right token with a short password: the field\'s message, nothing created', method: 'POST', path: '/api/galley/installer', body: body({ password: 'short', passwordConfirm: 'short' }), status: 400, contains: ['"password":{"code":"validation_min_text_constraint"'], events: [] },
    { name: 'the right token after a refused try creates the superuser (no hash or token key in the answer)', method: 'POST', path: '/api/galley/installer', body: body({}), status: 200, contains: ['"email":"first@example.com"', '"collectionName":"_superusers"'], notContains: ['first-pass-1', 'tokenKey', '"password"'], events: ['create:_superusers'] },
    { name: 'the used token is refused', method: 'POST', path: '/api/galley/installer', body: body({ email: 'second@example.com' }), status: 401, contains: [refusedToken], events: [] },
  ];

  it.each(table)('$name', async (s) => {
    if (s.name.startsWith('a wrong token')) token = galley.core.installer.issueToken().token;
    await runScenario(t, s);
  });

  it('the new superuser signs in; a fresh token is refused now that a superuser exists', async () => {
    const auth = await t.call('POST', '/api/collections/_superusers/auth-with-password', { body: { identity: 'first@example.com', password: 'first-pass-1' } });
    expect(auth.status).toBe(200);
    token = galley.core.installer.issueToken().token;
    await runScenario(t, { name: 'a superuser exists', method: 'POST', path: '/api/galley/installer', body: body({ email: 'second@example.com' }), status: 403, contains: ['A superuser exists already'], events: [] });
  });
});
