// The dashboard's shell against the compiled binary in Chromium: served at /_/ with its CSP, caching and
// compression; the first-run installer; sign-in and sign-out; the theme switch; the `?` dialog; a failed request
// showing the server's message; the bundle budgets. One server (no superuser at first) and one browser.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBinary } from '../helpers/binary.ts';
import { chromiumAvailable, chromiumRequired, startDashboard, SUPERUSER, type Dashboard } from './harness.ts';

const BLOG = fileURLToPath(new URL('../../../schema-examples/blog.json', import.meta.url));
const DIST = fileURLToPath(new URL('../../../admin-ui/dist', import.meta.url));

let d: Dashboard;

/** the installer link `galley serve` printed */
function installerLink(): string {
  const link = /(http:\/\/\S+\/_\/#\/install\?token=[\w-]+)/.exec(d.server.output().stdout)?.[1];
  if (!link) throw new Error(`no installer link in:\n${d.server.output().stdout}`);
  return link;
}

async function html(page: Page): Promise<string> {
  return page.evaluate(() => document.documentElement.outerHTML);
}

describe.skipIf(!chromiumAvailable && !chromiumRequired)('the dashboard shell in Chromium', () => {
  beforeAll(async () => {
    d = await startDashboard({ schema: BLOG, superuser: false });
  }, 60_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('is served at /_/ with a strict CSP, index.html revalidated, hashed assets immutable, bodies precompressed', async () => {
    const index = await fetch(`${d.url}/_/`, { headers: { 'Accept-Encoding': 'br, gzip' } });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-encoding')).toBe('br');
    expect(index.headers.get('vary')).toBe('Accept-Encoding');
    const text = await index.text(); // fetch decodes br
    const script = /<script type="module"[^>]*src="\.\/(assets\/[^"]+\.js)"/.exec(text)?.[1];
    expect(script).toBeDefined();

    const gz = await fetch(`${d.url}/_/${script}`, { headers: { 'Accept-Encoding': 'gzip' }, decompress: false } as RequestInit);
    expect(gz.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const plain = await fetch(`${d.url}/_/${script}`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const plainBody = Buffer.from(await plain.arrayBuffer());
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).equals(plainBody)).toBe(true);

    const missing = await fetch(`${d.url}/_/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 404, message: "The requested resource wasn't found." });
    // mailed confirmation links keep their page
    const confirm = await fetch(`${d.url}/_/auth.html`);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('auth-pages.js');
  });

  it('keeps within the budgets: initial JS ≤ 150 KB gzip, whole build ≤ 1.5 MB', async () => {
    const text = await (await fetch(`${d.url}/_/`)).text();
    const initial = [...text.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\.\/([^"]+\.js)"/g)].map((m) => m[1]!);
    expect(initial.length).toBeGreaterThan(0);
    let gzipBytes = 0;
    for (const path of initial) {
      const res = await fetch(`${d.url}/_/${path}`, { headers: { 'Accept-Encoding': 'gzip' }, decompress: false } as RequestInit);
      expect(res.headers.get('content-encoding')).toBe('gzip');
      gzipBytes += (await res.arrayBuffer()).byteLength;
    }
    expect(gzipBytes).toBeLessThanOrEqual(150 * 1024);
    const files = readdirSync(DIST, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !/\.(gz|br)$/.test(e.name));
    const total = files.reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
    expect(total).toBeLessThanOrEqual(1.5 * 1024 * 1024);
    console.log(`dashboard budgets: initial JS ${(gzipBytes / 1024).toFixed(1)} KB gzip, build ${(total / 1024).toFixed(1)} KB`);
  });

  it('first run: serve prints a one-time installer link; its page creates the first superuser and signs in', async () => {
    const link = installerLink();
    // a wrong token: the server's message, on the page
    const forged = await d.openPage('#/install?token=not-the-token');
    await forged.getByLabel('Email').fill(SUPERUSER.email);
    await forged.getByLabel('Password', { exact: true }).fill(SUPERUSER.password);
    await forged.getByLabel('Password again').fill(SUPERUSER.password);
    await forged.getByRole('button', { name: 'Create superuser and sign in' }).click();
    await expect.poll(() => forged.getByRole('alert').innerText()).toContain('The installer link is invalid, used or expired.');

    const page = await d.openPage(link.slice(link.indexOf('#')));
    await page.getByRole('heading', { name: 'Create the first superuser' }).waitFor();
    await d.checkPage(page, 'install');
    await d.checkPhone(page, 'install', [page.getByLabel('Password again'), page.getByRole('button', { name: 'Create superuser and sign in' })]);
    await page.getByLabel('Email').fill(SUPERUSER.email);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Password again').fill('short');
    await page.getByRole('button', { name: 'Create superuser and sign in' }).click();
    // the server's field message beside the field; the token still works after a refused attempt
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('Failed to create record.');
    await page.getByLabel('Password', { exact: true }).fill(SUPERUSER.password);
    await page.getByLabel('Password again').fill(SUPERUSER.password);
    await page.getByRole('button', { name: 'Create superuser and sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.getByRole('banner').innerText()).toContain(SUPERUSER.email);
    // the sidebar lists the collections the API returns
    const nav = page.getByRole('navigation', { name: 'Collections' });
    await nav.getByRole('link', { name: /posts/ }).waitFor();
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('comments'), expect.stringContaining('users')]));
    await d.checkPage(page, 'overview');
    await d.checkPhone(page, 'overview', [page.getByRole('button', { name: 'Menu' }), page.getByRole('button', { name: 'Sign out' })]);

    // single use: the same link is refused now (a superuser exists), and so is any other token
    const token = new URL(link.replace('#/install', 'install')).searchParams.get('token');
    for (const body of [{ token }, { token: 'x' }]) {
      const res = await fetch(`${d.url}/api/galley/installer`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...body, email: 'second@example.com', password: 'second-pass-1', passwordConfirm: 'second-pass-1' }),
      });
      expect([401, 403]).toContain(res.status);
      expect(await res.json()).toMatchObject({ status: res.status, data: {} });
    }
  }, 120_000);

  it('signs out and in again; a wrong password shows the server\'s message and what to do; the session survives a reload', async () => {
    const page = await d.signedInPage();
    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Galley' }).waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#/login');
    await d.checkPage(page, 'sign-in');
    await d.checkPhone(page, 'sign-in', [page.getByLabel('Password'), page.getByRole('button', { name: 'Sign in' })]);

    await page.getByLabel('Email').fill(SUPERUSER.email);
    await page.getByLabel('Password').fill('wrong-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText()).toContain('Failed to authenticate.');
    expect(await alert.innerText()).toContain('Check the email and the password');
    await d.checkPage(page, 'sign-in-error');

    await page.getByLabel('Password').fill(SUPERUSER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // a page asked for while signed out opens after sign-in
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${d.url}/_/#/collections/posts`);
    await d.signIn(page);
    await page.getByRole('heading', { name: 'posts' }).waitFor();
    await d.checkPage(page, 'collection');
    await d.checkPhone(page, 'collection', [
      page.getByRole('link', { name: 'New record' }),
      page.getByRole('button', { name: 'Import' }),
      page.getByLabel('Select all on this page'),
    ]);
  }, 120_000);

  it('a failed request shows the server\'s message and what to do, never a blank page', async () => {
    const page = await d.signedInPage('#/collections/no_such_collection');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText()).toContain("The requested resource wasn't found.");
    expect(await alert.innerText()).toContain('Pick it again from the sidebar');
    await alert.getByRole('button', { name: 'Try again' }).waitFor();
    await d.checkPage(page, 'collection-missing');
    await d.checkPhone(page, 'collection-missing', [alert.getByRole('button', { name: 'Try again' })]);
  });

  it('follows the system theme and switches with the labelled Theme control; the choice is kept', async () => {
    const page = await d.signedInPage();
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    const systemDark = await background();
    expect(systemDark).not.toBe(light);
    await page.getByLabel('Theme').selectOption('light');
    expect(await background()).toBe(light);
    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.getByLabel('Theme').inputValue()).toBe('light');
    expect(await background()).toBe(light);
    await page.getByLabel('Theme').selectOption('dark');
    expect(await background()).toBe(systemDark);
    await page.getByLabel('Theme').selectOption('system');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await background()).toBe(light);
  });

  it('? opens the keyboard shortcuts dialog, / focuses the collection search, Escape closes', async () => {
    const page = await d.signedInPage();
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    const rows = await dialog.getByRole('row').allInnerTexts();
    expect(rows.join('\n')).toContain('Search collections');
    expect(rows.join('\n')).toContain('Show keyboard shortcuts');
    await d.checkPage(page, 'shortcuts');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    // typing in a field never triggers a shortcut
    await page.keyboard.type('po?');
    expect(await dialog.isVisible()).toBe(false);
    expect(await page.getByLabel('Search collections').inputValue()).toBe('po?');
    // the header's button opens it too
    await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('works at phone width: the sidebar behind a Menu button', async () => {
    const page = await d.openPage('', { viewport: { width: 390, height: 800 } });
    await d.signIn(page);
    const nav = page.getByRole('navigation', { name: 'Collections' });
    expect(await nav.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.getByRole('link', { name: /posts/ }).waitFor();
    // nothing wider than the screen: no sideways scrolling
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await d.checkPage(page, 'phone-menu');
    expect(await html(page)).toContain('aria-expanded="true"');
  });

  it('hands mailed #/auth/… links to the confirmation page, which still works', async () => {
    const page = await d.openPage('#/auth/confirm-verification/not-a-token');
    await page.waitForURL(/\/_\/auth\.html#\/auth\/confirm-verification\/not-a-token$/);
    await page.getByRole('heading', { name: 'Confirm verification' }).waitFor();
  });

  it('a session the server no longer accepts ends in the sign-in page, which returns to the page asked for, query and all', async () => {
    const page = await d.signedInPage();
    // a new password ends every token of that superuser (as PocketBase does)
    const changed = await runBinary(['superuser', 'upsert', SUPERUSER.email, 'changed-pass-1', '--dir', d.server.dir]);
    expect(changed.code).toBe(0);
    await page.getByRole('navigation', { name: 'Collections' }).getByRole('link', { name: /tags/ }).first().click();
    await page.getByRole('heading', { name: 'Sign in to Galley' }).waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#/login?next=%2Fcollections%2Ftags');
    await page.getByLabel('Email').fill(SUPERUSER.email);
    await page.getByLabel('Password').fill('changed-pass-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'tags' }).waitFor();

    // a link with a query (an open record) opened without a session comes back with its query after sign-in
    const fresh = await d.openPage('#/collections/tags?record=new');
    await fresh.getByRole('heading', { name: 'Sign in to Galley' }).waitFor();
    expect(await fresh.evaluate(() => location.hash)).toBe('#/login?next=%2Fcollections%2Ftags%3Frecord%3Dnew');
    await fresh.getByLabel('Email').fill(SUPERUSER.email);
    await fresh.getByLabel('Password').fill('changed-pass-1');
    await fresh.getByRole('button', { name: 'Sign in' }).click();
    await fresh.getByRole('heading', { name: 'New tags record' }).waitFor();
    expect(await fresh.evaluate(() => location.hash)).toBe('#/collections/tags?record=new');
    await d.checkPhone(fresh, 'record-new', [fresh.getByRole('button', { name: 'Create', exact: true }), fresh.getByRole('button', { name: 'Close the record' })]);
  }, 120_000);

  it('no page broke its CSP or threw', () => {
    expect(d.problems).toEqual([]);
  });
});
