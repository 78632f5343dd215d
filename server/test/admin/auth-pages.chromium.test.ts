// The /_/ confirmation pages in Chromium (Debian's /usr/bin/chromium via playwright-core), driven as a user:
// the SDK asks for a mail, a real SMTP server on 127.0.0.1 receives it, the browser opens the mailed link and
// fills the form found by its labels; then the SDK signs in with what the page changed.
// Skipped with a message when /usr/bin/chromium is missing, except under CI=true, where that is a failure.
import { existsSync } from 'node:fs';
import PocketBase from 'pocketbase';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authSchema, startAuthGalley, type AuthTestGalley } from '../auth/harness.ts';
import { smtpSettings, startTestSmtp, type ReceivedMail, type TestSmtp } from '../auth/smtp.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const required = process.env['CI'] === 'true';
if (!available && !required) console.warn(`auth pages browser test skipped: ${CHROMIUM} is missing (apt-get install chromium); under CI=true it fails`);

let t: AuthTestGalley;
let smtp: TestSmtp;
let url = '';
let browser: Browser | undefined;
/** CSP violations and script errors seen by any page: a strict CSP that blocks our own files would show here */
const problems: string[] = [];

/** The link in a mail's HTML that opens `/_/#/auth/<action>/…`. */
function linkIn(mail: ReceivedMail, action: string): string {
  const href = new RegExp(`href="([^"]*/_/#/auth/${action}/[^"]+)"`).exec(mail.html)?.[1];
  if (!href) throw new Error(`no ${action} link in ${mail.html}`);
  return href.replace(/&amp;/g, '&');
}

async function openPage(link: string): Promise<Page> {
  const page = await browser!.newPage();
  page.setDefaultTimeout(5000);
  page.on('console', (m) => {
    // an API answering 400 is logged as a failed resource: that is the flow under test, not a problem
    if (m.type() === 'error' && !(m.text().includes('status of 400') && m.location().url.includes('/api/'))) problems.push(`${m.text()} ${m.location().url}`);
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(link);
  return page;
}

/** Waits (up to 15 s: a password check hashes, and the box is shared) until the card shows `text`. */
async function showing(page: Page, text: string): Promise<void> {
  try {
    await page.locator('#app').getByText(text).first().waitFor({ timeout: 15_000 });
  } catch {
    throw new Error(`the page never showed "${text}"; it shows:\n${await page.locator('#app').innerText()}`);
  }
}

async function signUp(email: string, password = 'first-pass-1'): Promise<PocketBase> {
  const pb = new PocketBase(url);
  await pb.collection('users').create({ email, password, passwordConfirm: password, name: email });
  await pb.collection('users').authWithPassword(email, password);
  return pb;
}

describe.skipIf(!available && !required)(`the /_/ confirmation pages in Chromium (skipped when ${CHROMIUM} is missing, unless CI=true)`, () => {
  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing: CI must install it (.ci/run: apt-get install chromium)`);
    smtp = await startTestSmtp();
    t = await startAuthGalley(authSchema(), { settings: { ...smtpSettings(smtp), meta: { appName: 'Pages App' } } });
    ({ url } = await t.galley.listen('127.0.0.1:0'));
    browser = await chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: false, headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  it('mail links point at this server (appURL follows the listen address) and the page loads under its CSP', async () => {
    await signUp('links@example.com');
    await new PocketBase(url).collection('users').requestPasswordReset('links@example.com');
    const mail = await smtp.waitFor((m) => m.to.includes('links@example.com'));
    expect(linkIn(mail, 'confirm-password-reset').startsWith(`${url}/_/#/auth/confirm-password-reset/`)).toBe(true);
    const page = await openPage(`${url}/_/`);
    await showing(page, 'The dashboard is not built yet');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Galley');
    expect(await page.getByText('The dashboard is not built yet').count()).toBe(1);
    expect(await page.getByRole('link', { name: `${url}/api/` }).getAttribute('href')).toBe(`${url}/api/health`);
    await page.screenshot({ path: '/tmp/h7-not-built.png' });
    await page.close();
    expect(problems).toEqual([]);
  });

  it('password reset: the mailed link opens a form; a too-short password shows the API error; then the new password signs in', async () => {
    await signUp('reset@example.com');
    await new PocketBase(url).collection('users').requestPasswordReset('reset@example.com');
    const mail = await smtp.waitFor((m) => m.to.includes('reset@example.com') && /Reset/.test(m.subject));
    const page = await openPage(linkIn(mail, 'confirm-password-reset'));
    await showing(page, 'Type your new password for');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm password reset');
    expect(await page.getByText('reset@example.com').count()).toBe(1);
    // the first field has the focus, as a user expects after opening the link
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');

    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Confirm new password').fill('short');
    await page.getByRole('button', { name: 'Set new password' }).click();
    const fieldError = page.locator('#password-error');
    await fieldError.getByText(/between 8 and 255/i).waitFor({ timeout: 15_000 });
    expect(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('alert').textContent()).toBeTruthy();
    await page.screenshot({ path: '/tmp/h7-reset-error.png' });

    await page.getByLabel('New password', { exact: true }).fill('brand-new-pass-1');
    await page.getByLabel('Confirm new password').fill('brand-new-pass-1');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await showing(page, 'The password was successfully changed.');
    expect(await page.getByRole('status').textContent()).toContain('The password was successfully changed.');
    await page.screenshot({ path: '/tmp/h7-reset-done.png' });
    await page.close();

    const pb = new PocketBase(url);
    const auth = await pb.collection('users').authWithPassword('reset@example.com', 'brand-new-pass-1');
    expect(auth.record['email']).toBe('reset@example.com');
    await expect(pb.collection('users').authWithPassword('reset@example.com', 'first-pass-1')).rejects.toMatchObject({ status: 400 });
    expect(problems).toEqual([]);
  });

  it('verification: the page confirms by itself and the record is verified', async () => {
    await signUp('verify@example.com');
    await new PocketBase(url).collection('users').requestVerification('verify@example.com');
    const mail = await smtp.waitFor((m) => m.to.includes('verify@example.com') && /Verify/.test(m.subject));
    const page = await openPage(linkIn(mail, 'confirm-verification'));
    await showing(page, 'Successfully verified verify@example.com.');
    expect(await page.getByRole('status').textContent()).toContain('Successfully verified');
    await page.screenshot({ path: '/tmp/h7-verified.png' });
    await page.close();
    const auth = await new PocketBase(url).collection('users').authWithPassword('verify@example.com', 'first-pass-1');
    expect(auth.record['verified']).toBe(true);

    // a link whose signature does not hold: the API refuses it, the page says so and offers a new mail
    const link = linkIn(mail, 'confirm-verification');
    const again = await openPage(link.slice(0, -4) + (link.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
    await showing(again, 'Invalid or expired verification token.');
    expect(await again.getByRole('alert').textContent()).toContain('Invalid or expired verification token.');
    await again.screenshot({ path: '/tmp/h7-verify-failed.png' });
    // the button asks for a new mail for the token's email (204 whether or not one is due: no enumeration)
    await again.getByRole('button', { name: 'Send a new verification link' }).click();
    await showing(again, 'Please check your email for the new verification link.');
    await again.close();
    expect(problems).toEqual([]);
  });

  it('email change: a wrong password shows the API error; the right one moves the account to the new email', async () => {
    const pb = await signUp('old@example.com');
    await pb.collection('users').requestEmailChange('new@example.com');
    const mail = await smtp.waitFor((m) => m.to.includes('new@example.com'));
    const page = await openPage(linkIn(mail, 'confirm-email-change'));
    await showing(page, 'Type your password to confirm');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm email change');
    expect(await page.getByText('new@example.com').count()).toBe(1);

    await page.getByLabel('Password', { exact: true }).fill('not-my-password');
    await page.getByRole('button', { name: 'Confirm new email' }).click();
    await page.getByRole('alert').waitFor({ timeout: 15_000 });
    expect(await page.locator('#password-error').textContent()).not.toBe('');
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: '/tmp/h7-email-change-error.png' });

    await page.getByLabel('Password', { exact: true }).fill('first-pass-1');
    await page.getByRole('button', { name: 'Confirm new email' }).click();
    await showing(page, 'The email was successfully changed.');
    expect(await page.getByRole('status').textContent()).toContain('The email was successfully changed.');
    await page.close();

    const auth = await new PocketBase(url).collection('users').authWithPassword('new@example.com', 'first-pass-1');
    expect(auth.record['email']).toBe('new@example.com');
    expect(problems).toEqual([]);
  });

  it("PocketBase's OAuth2 popup landing pages answer too", async () => {
    const done = await openPage(`${url}/_/#/auth/oauth2-redirect-success`);
    await showing(done, 'You can close this window and go back to the app.');
    expect(await done.getByRole('heading', { level: 1 }).textContent()).toBe('Auth completed');
    await done.close();
    const failed = await openPage(`${url}/_/#/auth/oauth2-redirect-failure`);
    await showing(failed, 'to try again');
    expect(await failed.getByRole('alert').textContent()).toContain('go back to the app to try again');
    await failed.close();
    expect(problems).toEqual([]);
  });

  it('a link whose token is not a token says so instead of showing a form', async () => {
    const page = await openPage(`${url}/_/#/auth/confirm-password-reset/not-a-token`);
    await showing(page, 'Invalid or expired password reset token.');
    expect(await page.getByRole('alert').textContent()).toContain('Invalid or expired password reset token.');
    expect(await page.getByRole('textbox').count()).toBe(0);
    await page.close();
  });
});
