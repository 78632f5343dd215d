// /_/: the page that confirms mailed links, its script and stylesheet, each with a strict CSP; nothing else
// under /_/ answers but PocketBase's 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, startTestGalley, type Scenario, type TestGalley } from '../helpers/test-galley.ts';
import { AUTH_PAGE_SCRIPT } from '../../src/admin/auth-pages/page-script.ts';

let t: TestGalley;

beforeAll(async () => {
  t = await startTestGalley([]);
});
afterAll(() => t?.close());

type PageScenario = Scenario & { type?: string };

const table: PageScenario[] = [
  { name: 'GET /_/ is the HTML page, which loads its own script and stylesheet', method: 'GET', path: '/_/', status: 200, type: 'text/html', contains: ['<script src="./assets/auth-pages.js" defer></script>', '<link rel="stylesheet" href="./assets/auth-pages.css">', '<main id="app"'], notContains: ['<style', 'onclick=', '<script>'] },
  { name: 'GET /_/index.html is the same page', method: 'GET', path: '/_/index.html', status: 200, type: 'text/html', contains: ['<main id="app"'] },
  { name: 'the script knows the three confirmation routes', method: 'GET', path: '/_/assets/auth-pages.js', status: 200, type: 'text/javascript', contains: ["'confirm-password-reset': showPasswordReset", "'confirm-verification': showVerification", "'confirm-email-change': showEmailChange"] },
  { name: 'the stylesheet', method: 'GET', path: '/_/assets/auth-pages.css', status: 200, type: 'text/css', contains: ['.card'] },
  { name: 'the tab icon (so the browser does not ask the API for /favicon.ico)', method: 'GET', path: '/_/assets/favicon.svg', status: 200, type: 'image/svg+xml', contains: ['<svg'] },
  { name: 'an unknown asset is a 404', method: 'GET', path: '/_/assets/app.js', status: 404, contains: ['"status":404'] },
  { name: 'another path under /_/ is a 404', method: 'GET', path: '/_/collections', status: 404, contains: ['"status":404'] },
  { name: 'the page takes no POST', method: 'POST', path: '/_/', status: 404 },
];

describe('GET /_/', () => {
  it.each(table)('$name', async (s) => {
    const res = await runScenario(t, s);
    if (!s.type) return;
    expect(res.headers.get('content-type')).toContain(s.type);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('GET /_ redirects to /_/', async () => {
    const res = await t.call('GET', '/_');
    expect(res.status).toBe(301);
    expect(new URL(res.headers.get('location')!, 'http://h.test/_').pathname).toBe('/_/');
  });

  it('the script is valid JavaScript (it lives in a template string: no stray interpolation)', () => {
    expect(() => new Function(AUTH_PAGE_SCRIPT)).not.toThrow();
    expect(AUTH_PAGE_SCRIPT).not.toContain('${');
  });
});
