// The dashboard's browser-test harness: the compiled binary (one per test file) and one headless Chromium
// (Debian's /usr/bin/chromium through playwright-core). `checkPage` writes a screenshot of the page in the light
// and the dark theme to artefacts/screenshots/ and runs axe-core on both: 0 serious or critical violations.
// Find elements by role and label (page.getByRole / getByLabel), as a screen reader would; never by CSS class.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { makeTempDir, runBinary, startBinary, type RunningBinary, type StartOptions } from '../helpers/binary.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** Chromium is required under CI=true; elsewhere a file without it is skipped with a warning */
export const chromiumAvailable = existsSync(CHROMIUM);
export const chromiumRequired = process.env['CI'] === 'true';
if (!chromiumAvailable && !chromiumRequired) console.warn(`dashboard browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium); under CI=true they fail`);

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const SCREENSHOTS = join(root, 'artefacts', 'screenshots');
const AXE_SOURCE = readFileSync(join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export const SUPERUSER = { email: 'admin@example.com', password: 'dashboard-pass-1' };
/** the phone-width screen every page must work on */
export const PHONE = { width: 390, height: 844 };

export interface Dashboard {
  url: string;
  server: RunningBinary;
  browser: Browser;
  /** script errors, CSP refusals and failed loads seen by any page (a 4xx from /api/ a test provokes is left out) */
  problems: string[];
  /** a fresh browser context (its own storage) at 1280×720 showing `/_/` + `hash` */
  openPage(hash?: string, opts?: PageOptions): Promise<Page>;
  /** signs in through the sign-in page as SUPERUSER, and waits for the overview */
  signIn(page: Page): Promise<void>;
  /** a new page, signed in, showing `hash` */
  signedInPage(hash?: string): Promise<Page>;
  /** screenshots (light, dark) into artefacts/screenshots/<name>-<theme>.png and axe on both themes */
  checkPage(page: Page, name: string): Promise<void>;
  /**
   * The page at phone width (390×844): nothing wider than the screen (no sideways scroll of the page), each of
   * `controls` reachable (scrolled to, inside the screen, clickable: a trial click), screenshots light + dark as
   * <name>-phone-<theme>.png (axe runs in checkPage at full width). The viewport is restored after.
   */
  checkPhone(page: Page, name: string, controls?: Locator[]): Promise<void>;
  stop(): Promise<void>;
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** the browser storage to start from (a saved session) */
  storageState?: Awaited<ReturnType<BrowserContext['storageState']>>;
}

export interface DashboardOptions extends StartOptions {
  /** create SUPERUSER before the server starts (default true; false for the installer's tests) */
  superuser?: boolean;
}

export async function startDashboard(opts: DashboardOptions = {}): Promise<Dashboard> {
  if (!chromiumAvailable) throw new Error(`${CHROMIUM} is missing: CI must install it (.ci/run: apt-get install chromium)`);
  const { superuser = true, ...startOpts } = opts;
  let dir = startOpts.dir;
  const ownDir = superuser && dir === undefined;
  if (superuser) {
    dir ??= makeTempDir();
    const made = await runBinary(['superuser', 'upsert', SUPERUSER.email, SUPERUSER.password, '--dir', dir]);
    if (made.code !== 0) throw new Error(`superuser upsert failed: ${made.stderr}`);
  }
  const server = await startBinary({ ...startOpts, ...(dir ? { dir } : {}) });
  const browser = await chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: false, headless: true });
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  const url = server.url;
  let session: PageOptions['storageState'];

  async function openPage(hash = '', pageOpts: PageOptions = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: pageOpts.viewport ?? { width: 1280, height: 720 }, storageState: pageOpts.storageState });
    contexts.push(context);
    const page = await context.newPage();
    // generous: a loaded CI box (2 cores) can take seconds to hash a password or paint a page
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      // a request the test makes fail on purpose is logged by Chromium as a failed resource
      if (/status of 4\d\d/.test(m.text()) && m.location().url.includes('/api/')) return;
      problems.push(`${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
    await page.goto(`${url}/_/${hash}`);
    return page;
  }

  async function signIn(page: Page): Promise<void> {
    await page.getByRole('heading', { name: 'Sign in to Galley' }).waitFor();
    await page.getByLabel('Email').fill(SUPERUSER.email);
    await page.getByLabel('Password').fill(SUPERUSER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  async function checkPage(page: Page, name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.evaluate(AXE_SOURCE); // evaluated through the devtools protocol: the page's CSP does not apply
    const previous = await page.evaluate(() => document.documentElement.dataset['theme'] ?? null);
    const failures: string[] = [];
    for (const theme of ['light', 'dark'] as const) {
      await page.evaluate((t) => (document.documentElement.dataset['theme'] = t), theme);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${theme}.png`), fullPage: true });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
        const result = await axe.run(document);
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 5) }));
      });
      for (const v of violations) {
        if (v.impact === 'serious' || v.impact === 'critical') failures.push(`${name} (${theme}): ${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
      }
    }
    await page.evaluate((t) => {
      if (t === null) delete document.documentElement.dataset['theme'];
      else document.documentElement.dataset['theme'] = t;
    }, previous);
    if (failures.length > 0) throw new Error(`axe found serious/critical violations:\n${failures.join('\n')}`);
  }

  async function checkPhone(page: Page, name: string, controls: Locator[] = []): Promise<void> {
    const before = page.viewportSize();
    await page.setViewportSize(PHONE);
    try {
      const wide = await page.evaluate((width) => {
        const doc = document.documentElement;
        if (doc.scrollWidth <= width && document.body.scrollWidth <= width) return [];
        // the innermost elements reaching past the screen's right edge (not inside a scrolling box), to say what to fix
        const clipped = (el: Element): boolean => {
          for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true;
          }
          return false;
        };
        const past = (el: Element) => el.getBoundingClientRect().right > width + 1 && !clipped(el);
        return [...document.body.querySelectorAll('*')]
          .filter((el) => past(el) && ![...el.children].some(past))
          .slice(0, 8)
          .map((el) => `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}> "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}" to ${Math.round(el.getBoundingClientRect().right)}px`);
      }, PHONE.width);
      if (wide.length > 0) throw new Error(`${name}: wider than a ${PHONE.width}px screen (the page scrolls sideways):\n${wide.join('\n')}`);
      for (const control of controls) {
        await control.scrollIntoViewIfNeeded();
        await control.click({ trial: true });
        const box = await control.boundingBox();
        if (!box || box.x < 0 || box.x + box.width > PHONE.width + 1) throw new Error(`${name}: ${String(control)} is not inside the screen (${JSON.stringify(box)})`);
      }
      mkdirSync(SCREENSHOTS, { recursive: true });
      const previous = await page.evaluate(() => document.documentElement.dataset['theme'] ?? null);
      for (const theme of ['light', 'dark'] as const) {
        await page.evaluate((t) => (document.documentElement.dataset['theme'] = t), theme);
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-phone-${theme}.png`), fullPage: true });
      }
      await page.evaluate((t) => {
        if (t === null) delete document.documentElement.dataset['theme'];
        else document.documentElement.dataset['theme'] = t;
      }, previous);
    } finally {
      if (before) await page.setViewportSize(before);
    }
  }

  return {
    url,
    server,
    browser,
    problems,
    openPage,
    signIn,
    async signedInPage(hash = '') {
      // one password sign-in per file: later pages start from its stored session (as a returning operator does)
      if (session) {
        const page = await openPage(hash, { storageState: session });
        await page.getByRole('button', { name: 'Sign out' }).waitFor();
        return page;
      }
      const page = await openPage(hash);
      await signIn(page);
      session = await page.context().storageState();
      return page;
    },
    checkPage,
    checkPhone,
    async stop() {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      await browser.close();
      await server.stop();
      if (ownDir && dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
