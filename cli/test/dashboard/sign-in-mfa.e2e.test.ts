// Sign-in when `_superusers` has MFA with OTP on (schema file): the password is the first factor, then a code
// mailed to the superuser (printed by `serve --dev` without SMTP, as an operator would read it in the terminal).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumRequired, startDashboard, SUPERUSER, type Dashboard } from './harness.ts';

const blog = JSON.parse(readFileSync(fileURLToPath(new URL('../../../schema-examples/blog.json', import.meta.url)), 'utf8')) as { collections: object[] };
const SCHEMA = {
  collections: [...blog.collections, { id: 'pbc_3142635823', name: '_superusers', type: 'auth', system: true, otp: { enabled: true }, mfa: { enabled: true } }],
};

let d: Dashboard;

/** the newest one-time code printed for the superuser after `after` characters of output */
async function codeAfter(after: number): Promise<string> {
  for (;;) {
    const printed = d.server.output().stdout.slice(after);
    const code = new RegExp(`To: +${SUPERUSER.email.replace('.', '\\.')}\\n[\\s\\S]*?\\b(\\d{6,})\\b`).exec(printed)?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!chromiumAvailable && !chromiumRequired)('superuser sign-in with MFA (password, then a mailed code)', () => {
  beforeAll(async () => {
    d = await startDashboard({ schema: SCHEMA, args: ['--dev'] });
  }, 60_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('asks for the code after the password; a wrong code shows the server\'s message; the right one signs in', async () => {
    const page = await d.openPage();
    await page.getByLabel('Email').fill(SUPERUSER.email);
    await page.getByLabel('Password').fill(SUPERUSER.password);
    const before = d.server.output().stdout.length;
    await page.getByRole('button', { name: 'Sign in' }).click();
    const codeField = page.getByLabel('One-time code');
    await codeField.waitFor();
    expect(await page.getByRole('status').innerText()).toContain(`sent to ${SUPERUSER.email}`);
    await d.checkPage(page, 'sign-in-code');
    await d.checkPhone(page, 'sign-in-code', [codeField, page.getByRole('button', { name: 'Sign in' })]);
    const code = await codeAfter(before);

    await codeField.fill('00000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText()).toContain('Invalid or expired OTP.');
    expect(await alert.innerText()).toContain('Check the code in the newest mail');

    await codeField.fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.getByRole('banner').innerText()).toContain(SUPERUSER.email);
  });

  it('no page broke its CSP or threw', () => {
    expect(d.problems).toEqual([]);
  });
});
