// The dashboard's operations pages against the compiled binary in Chromium: logs (filters, the per-hour chart,
// one entry's detail, the log settings), crons (run now → last run), the SQL console (rows and an error),
// backups (create, delete behind a confirmation, the auto-backup schedule) and settings (application, mail
// with a test email to a loopback SMTP server, file storage). Each page: screenshots light + dark and axe.
// One server, one browser, one SMTP server for the file.
import { readFileSync } from 'node:fs';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtp, type TestSmtp } from '../../../server/test/auth/smtp.ts';
import { startS3rver } from '../../../server/test/helpers/s3rver.ts';
import { chromiumAvailable, chromiumRequired, startDashboard, SUPERUSER, type Dashboard } from './harness.ts';

const SCHEMA = { collections: [{ name: 'posts', listRule: '', fields: [{ name: 'title', type: 'text' }] }] };

let d: Dashboard;
let pb: PocketBase;
let smtp: TestSmtp;

/** expect.poll with room for a loaded machine (its default gives up after 1 s); a wait, not a timing assertion */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000 });

describe.skipIf(!chromiumAvailable && !chromiumRequired)('the operations pages in Chromium', () => {
  beforeAll(async () => {
    [d, smtp] = await Promise.all([startDashboard({ schema: SCHEMA }), startTestSmtp({ auth: { user: 'ops', pass: 'smtp-secret-1' } })]);
    pb = new PocketBase(d.url);
    pb.autoCancellation(false);
    await pb.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    await pb.collection('posts').create({ title: 'hello' });
    await pb.collection('posts').create({ title: 'world' });
    // guest requests for the logs page: one 200, one 404
    expect((await fetch(`${d.url}/api/collections/posts/records`)).status).toBe(200);
    expect((await fetch(`${d.url}/api/ops-e2e-missing`)).status).toBe(404);
  }, 90_000);
  afterAll(async () => {
    await d?.stop();
    await smtp?.close();
  });

  it('logs: filters the list, draws requests per hour, shows one entry and saves the log settings', async () => {
    // the log writer flushes in batches: wait until the guest's 404 is stored
    await poll(async () => (await pb.logs.getList(1, 1, { filter: 'data.url ~ "ops-e2e-missing"' })).totalItems).toBe(1);
    const page = await d.signedInPage('#/logs');
    await page.getByRole('heading', { name: 'Logs', exact: true }).waitFor();
    // superuser requests are left out by default: the guest requests are listed
    const missing = page.getByRole('link', { name: /ops-e2e-missing/ });
    const records = page.getByRole('link', { name: 'GET /api/collections/posts/records' });
    await missing.waitFor();
    await records.waitFor();
    await expect(page.getByRole('img', { name: /^Requests per hour: [1-9]\d* in total/ }).count()).resolves.toBe(1);

    await page.getByLabel('Status', { exact: true }).selectOption('4');
    await records.waitFor({ state: 'detached' });
    await expect(missing.count()).resolves.toBe(1);
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByLabel('URL contains').fill('collections/posts');
    await missing.waitFor({ state: 'detached' });
    await records.waitFor();

    await records.click();
    const dialog = page.getByRole('dialog', { name: 'Log entry' });
    await dialog.waitFor();
    await expect(dialog.getByText('/api/collections/posts/records', { exact: true }).count()).resolves.toBeGreaterThan(0);
    await d.checkPage(page, 'ops-log-entry');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await d.checkPage(page, 'ops-logs');
    await d.checkPhone(page, 'ops-logs', [page.getByLabel('Keep entries for (days)'), page.getByRole('button', { name: 'Save log settings' })]);

    await page.getByLabel('Keep entries for (days)').fill('9');
    await page.getByLabel('Log the signed-in record\'s id').check();
    await page.getByRole('button', { name: 'Save log settings' }).click();
    await poll(async () => (await pb.settings.getAll())['logs']).toMatchObject({ maxDays: 9, logAuthId: true });
  });

  it('crons: lists the jobs and runs one now, showing its last run', async () => {
    const page = await d.signedInPage('#/crons');
    await page.getByRole('heading', { name: 'Crons' }).waitFor();
    const row = page.getByRole('row', { name: /__pbLogsCleanup__/ });
    await row.waitFor();
    await expect(row.getByRole('cell').nth(1).textContent()).resolves.toBe('—'); // never ran
    await d.checkPage(page, 'ops-crons');
    await d.checkPhone(page, 'ops-crons', [page.getByRole('button', { name: /^Run now\W+__pbLogsCleanup__$/ })]);
    await page.getByRole('button', { name: /^Run now\W+__pbLogsCleanup__$/ }).click();
    await poll(() => row.getByRole('cell').nth(1).textContent()).not.toBe('—');
    const job = (await pb.send<Array<{ id: string; lastRun: string | null; lastError: string | null }>>('/api/crons', {})).find((j) => j.id === '__pbLogsCleanup__');
    expect(job?.lastRun).toMatch(/^\d{4}-\d\d-\d\d /);
    expect(job?.lastError).toBeNull();

    // the Operations navigation reaches every page, superusers being the _superusers collection's records
    const nav = page.getByRole('navigation', { name: 'Operations' });
    await nav.getByRole('link', { name: 'Superusers' }).click();
    await page.getByRole('heading', { name: '_superusers', exact: true }).waitFor();
    await page.getByRole('cell', { name: SUPERUSER.email }).first().waitFor();
    for (const [link, heading] of [['Logs', 'Logs'], ['SQL console', 'SQL console'], ['Backups', 'Backups'], ['Settings', 'Settings'], ['Crons', 'Crons']]) {
      await nav.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await expect(nav.getByRole('link', { name: link, exact: true }).getAttribute('aria-current')).resolves.toBe('page');
    }
  });

  it('SQL console: runs a query into a table and shows SQLite\'s error', async () => {
    const page = await d.signedInPage('#/sql');
    await page.getByRole('heading', { name: 'SQL console' }).waitFor();
    await page.getByLabel('Query', { exact: true }).fill('select title, length(title) as n from posts order by title');
    await page.getByRole('button', { name: 'Run query' }).click();
    const table = page.getByRole('table', { name: 'Rows of the last statement' });
    await table.waitFor();
    await expect(table.getByRole('columnheader').allTextContents()).resolves.toEqual(['title TEXT', 'n']);
    await expect(table.getByRole('row').allTextContents()).resolves.toEqual(['title TEXTn', 'hello5', 'world5']);
    await expect(page.getByText(/^2 rows · 0 changed · \d+ ms on the server/).count()).resolves.toBe(1);
    await d.checkPage(page, 'ops-sql');
    await d.checkPhone(page, 'ops-sql', [page.getByLabel('Query', { exact: true }), page.getByRole('button', { name: 'Run query' })]);

    await page.getByLabel('Query', { exact: true }).fill('select * from no_such_table');
    await page.getByLabel('Query', { exact: true }).press('Control+Enter');
    await page.getByRole('alert').filter({ hasText: 'no such table: no_such_table' }).waitFor();
    await expect(table.count()).resolves.toBe(0);
  });

  it('backups: creates, downloads, deletes (confirmed), uploads and restores one; saves the auto-backup schedule', async () => {
    const page = await d.signedInPage('#/backups');
    await page.getByRole('heading', { name: 'Backups', exact: true }).waitFor();
    await page.getByLabel('Name (optional)').fill('ops-e2e');
    await page.getByRole('button', { name: 'Create backup' }).click();
    const row = page.getByRole('row', { name: /ops-e2e\.tar\.gz/ });
    await row.waitFor({ timeout: 60_000 });
    expect((await pb.backups.getFullList()).map((b) => b.key)).toEqual(['ops-e2e.tar.gz']);
    await d.checkPage(page, 'ops-backups');
    await d.checkPhone(page, 'ops-backups', [
      page.getByRole('button', { name: 'Create backup' }),
      page.getByRole('button', { name: 'Restore ops-e2e.tar.gz' }),
      page.getByRole('button', { name: 'Delete ops-e2e.tar.gz' }),
      page.getByRole('button', { name: 'Save schedule' }),
    ]);

    // downloaded through a file token, to be uploaded again below
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download ops-e2e.tar.gz' }).click()]);
    expect(download.suggestedFilename()).toBe('ops-e2e.tar.gz');
    const archive = readFileSync((await download.path())!);
    expect(archive.subarray(0, 2).toString('hex')).toBe('1f8b'); // gzip

    await page.getByRole('button', { name: 'Delete ops-e2e.tar.gz' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this backup?' });
    await confirm.waitFor();
    await d.checkPage(page, 'ops-backups-confirm');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    expect(await pb.backups.getFullList()).toEqual([]);

    await page.getByLabel('Backup archive to upload').setInputFiles({ name: 'ops-e2e.tar.gz', mimeType: 'application/gzip', buffer: archive });
    await row.waitFor();
    expect((await pb.backups.getFullList()).map((b) => b.key)).toEqual(['ops-e2e.tar.gz']);

    // restore it after a change: the change is gone once the server has restored
    await pb.collection('posts').create({ title: 'after-backup' });
    await page.getByRole('button', { name: 'Restore ops-e2e.tar.gz' }).click();
    const restore = page.getByRole('dialog', { name: 'Restore this backup?' });
    await restore.getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('status').filter({ hasText: 'Restoring ops-e2e.tar.gz' }).waitFor();
    await page.getByText('Backup restored').waitFor({ timeout: 60_000 });
    const titles = async () => {
      try {
        return (await pb.collection('posts').getFullList({ sort: 'title' })).map((p) => p.title as string);
      } catch {
        return []; // the services restart meanwhile
      }
    };
    await expect.poll(titles, { timeout: 60_000 }).toEqual(['hello', 'world']);
    await row.waitFor();

    // the server's field error shows beside its field (a schedule keeping 0 archives is refused)
    await page.getByLabel('Schedule (cron expression, UTC)').fill('0 3 * * *');
    await page.getByLabel('Auto-backups to keep').fill('0');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await poll(() => page.getByLabel('Auto-backups to keep').getAttribute('aria-invalid')).toBe('true');
    expect((await pb.settings.getAll())['backups']).toMatchObject({ cron: '', cronMaxKeep: 3 });
    await page.getByLabel('Auto-backups to keep').fill('5');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await poll(async () => (await pb.settings.getAll())['backups']).toMatchObject({ cron: '0 3 * * *', cronMaxKeep: 5 });
  }, 120_000);

  it('settings: saves the application name, sends a test email through SMTP, saves and tests an S3 bucket', async () => {
    const page = await d.signedInPage('#/settings');
    await page.getByRole('heading', { name: 'Application', exact: true }).waitFor();
    await page.getByLabel('Application name').fill('Ops E2E');
    await page.getByLabel('Application name').press('Control+s'); // the same as Save application settings
    await poll(async () => (await pb.settings.getAll())['meta']['appName']).toBe('Ops E2E');
    await page.reload();
    await expect(page.getByLabel('Application name').inputValue()).resolves.toBe('Ops E2E');
    await d.checkPage(page, 'ops-settings-application');
    await d.checkPhone(page, 'ops-settings-application', [page.getByLabel('Application name'), page.getByRole('button', { name: 'Save application settings' })]);

    await page.getByRole('link', { name: 'Mail', exact: true }).click();
    await page.getByLabel('SMTP host').waitFor();
    await page.getByLabel('Send mail through SMTP').check();
    await page.getByLabel('SMTP host').fill('127.0.0.1');
    await page.getByLabel('SMTP port').fill(String(smtp.port));
    await page.getByLabel('SMTP username').fill('ops');
    await page.getByLabel('SMTP password').fill('smtp-secret-1');
    await page.getByRole('button', { name: 'Save mail settings' }).click();
    await poll(async () => (await pb.settings.getAll())['smtp']).toMatchObject({ enabled: true, host: '127.0.0.1', port: smtp.port });
    expect((await pb.settings.getAll())['smtp']).not.toHaveProperty('password');
    await page.getByLabel('Send to').fill('ops@example.com');
    await page.getByRole('button', { name: 'Send test email' }).click();
    await page.getByRole('status').filter({ hasText: 'Sent to ops@example.com' }).waitFor();
    // the loopback server accepts only this user and password: the saved (never read back) password was used
    const mail = await smtp.waitFor((m) => m.to.includes('ops@example.com'), 20_000);
    expect(mail.user).toBe('ops');
    expect(mail.subject).toBeTruthy();
    await poll(() => page.getByLabel('SMTP password').inputValue()).toBe('');
    await d.checkPage(page, 'ops-settings-mail');
    await d.checkPhone(page, 'ops-settings-mail', [page.getByRole('button', { name: 'Save mail settings' }), page.getByRole('button', { name: 'Send test email' })]);

    await page.getByRole('link', { name: 'File storage' }).click();
    await page.getByRole('heading', { name: 'Files bucket' }).waitFor();
    // the test reads the saved settings: with the bucket off, the server's reason is shown in place
    await page.getByRole('button', { name: 'Test the files bucket' }).click();
    await page.getByRole('status').filter({ hasText: 'S3 storage filesystem is not enabled' }).waitFor();

    // a bucket on a loopback S3 server (s3rver): saved, its secret never read back, and the test passes
    const s3 = await startS3rver();
    try {
      await s3.createBucket('ops-files');
      const form = page.getByRole('form', { name: 'Files bucket' });
      await form.getByLabel('Use an S3 bucket').check();
      await form.getByLabel('Bucket', { exact: true }).fill('ops-files');
      await form.getByLabel('Region').fill(s3.options.region);
      await form.getByLabel('Endpoint').fill(s3.options.endpoint);
      await form.getByLabel('Access key').fill(s3.options.accessKey);
      await form.getByLabel('Secret', { exact: true }).fill(s3.options.secret);
      await form.getByLabel('Force path-style addressing').check();
      await form.getByRole('button', { name: 'Save files bucket' }).click();
      await poll(async () => (await pb.settings.getAll())['s3']).toEqual({ enabled: true, bucket: 'ops-files', region: s3.options.region, endpoint: s3.options.endpoint, accessKey: s3.options.accessKey, forcePathStyle: true });
      await poll(() => form.getByLabel('Secret', { exact: true }).inputValue()).toBe(''); // emptied once saved
      await form.getByRole('button', { name: 'Test the files bucket' }).click();
      await form.getByRole('status').filter({ hasText: 'The bucket answered' }).waitFor();
    } finally {
      await pb.settings.update({ s3: { enabled: false } });
      await s3.stop();
    }
    await d.checkPage(page, 'ops-settings-storage');
    await d.checkPhone(page, 'ops-settings-storage', [page.getByRole('button', { name: 'Save files bucket' })]);
    expect(d.problems).toEqual([]);
  }, 120_000);
});
