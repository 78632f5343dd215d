// The dashboard's records pages against the compiled binary in Chromium: a record created, edited and deleted
// through every input (a file upload and a relation pick among them), 10k records filtered and sorted, realtime
// changes in an open table and an open record, the save conflict warning, CSV import (dry run with per-row
// errors, batches of the server's batch limit) and export, and an auth record's actions. One server, one browser.
import { readFileSync } from 'node:fs';
import PocketBase from 'pocketbase';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumRequired, startDashboard, SUPERUSER, type Dashboard } from './harness.ts';

const SCHEMA = {
  collections: [
    { name: 'users', type: 'auth', viewRule: 'id = @request.auth.id', fields: [{ name: 'name', type: 'text' }] },
    // unique names: the import's dry run must catch a clash between rows in different chunks
    { name: 'tags', fields: [{ name: 'name', type: 'text', required: true, presentable: true }], indexes: ['CREATE UNIQUE INDEX idx_tags_name ON tags (name)'] },
    {
      name: 'items',
      fields: [
        { name: 'title', type: 'text', required: true, presentable: true },
        { name: 'count', type: 'number' },
        { name: 'done', type: 'bool' },
        { name: 'contact', type: 'email' },
        { name: 'site', type: 'url' },
        { name: 'body', type: 'editor' },
        { name: 'due', type: 'date' },
        { name: 'kind', type: 'select', values: ['a', 'b', 'c'], maxSelect: 1 },
        { name: 'labels', type: 'select', values: ['red', 'green', 'blue'], maxSelect: 3 },
        { name: 'photo', type: 'file', maxSelect: 1, maxSize: 1048576 },
        { name: 'docs', type: 'file', maxSelect: 5, maxSize: 1048576, protected: true },
        { name: 'tag', type: 'relation', collectionId: 'tags', maxSelect: 1 },
        { name: 'tags', type: 'relation', collectionId: 'tags', maxSelect: 5 },
        { name: 'meta', type: 'json' },
        { name: 'where', type: 'geoPoint' },
      ],
    },
    { name: 'numbers', fields: [{ name: 'n', type: 'number' }, { name: 'label', type: 'text' }] },
    { name: 'tagview', type: 'view', viewQuery: 'SELECT id, name FROM tags', fields: [] },
  ],
};

// a 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let d: Dashboard;
let pb: PocketBase;

/** expect.poll with room for a loaded machine (its default gives up after 1 s); a wait, not a timing assertion */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

async function download(page: Page, click: () => Promise<void>): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFileSync((await file.path())!, 'utf8');
}

describe.skipIf(!chromiumAvailable && !chromiumRequired)('the records pages in Chromium', () => {
  beforeAll(async () => {
    d = await startDashboard({ schema: SCHEMA });
    pb = new PocketBase(d.url);
    pb.autoCancellation(false);
    await pb.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    await pb.collection('tags').create({ name: 'alpha' });
    await pb.collection('tags').create({ name: 'beta' });
    await pb.collection('tags').create({ name: 'gamma' });
    // 10k numbers, fast: 10 batches of 1000 (the limit is raised for seeding, then set small for the import)
    await pb.settings.update({ batch: { enabled: true, maxRequests: 1000, timeout: 30, maxBodySize: 0 } });
    for (let at = 0; at < 10_000; at += 1000) {
      const batch = pb.createBatch();
      for (let n = at; n < at + 1000; n++) batch.collection('numbers').create({ n, label: `label ${n}` });
      await batch.send();
    }
    await pb.settings.update({ batch: { enabled: true, maxRequests: 5, timeout: 10, maxBodySize: 0 } });
  }, 120_000);
  afterAll(async () => {
    await d?.stop();
  }, 120_000);

  it('creates a record through every input (file upload, relation picks, JSON in CodeMirror), shows server errors beside fields, edits and deletes it', async () => {
    const page = await d.signedInPage('#/collections/items');
    await page.getByRole('heading', { name: 'items' }).waitFor();
    await page.getByRole('link', { name: 'New record' }).click();
    const editor = page.getByRole('dialog', { name: 'New items record' });
    await editor.getByLabel('title (required)').fill('First item');
    await editor.getByLabel('count').fill('42.5');
    await editor.getByLabel('done').check();
    await editor.getByLabel('contact').fill('not-an-email');
    await editor.getByLabel('site').fill('https://example.com/x');
    // rich text: typed into the editor, bold from the toolbar; the HTML source view shows what is saved
    await editor.getByRole('textbox', { name: 'body' }).click();
    await page.keyboard.type('Hello ');
    await editor.getByRole('toolbar', { name: 'Formatting of body' }).getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type('world');
    await editor.getByRole('button', { name: 'HTML source' }).click();
    expect(await editor.getByLabel('body HTML source').inputValue()).toBe('<p>Hello <strong>world</strong></p>');
    await editor.getByRole('button', { name: 'HTML source' }).click();
    await editor.getByLabel('due (UTC)').fill('2025-03-04T05:06:07');
    await editor.getByLabel('kind').selectOption('b');
    await editor.getByRole('group', { name: 'labels' }).getByLabel('red').check();
    await editor.getByRole('group', { name: 'labels' }).getByLabel('blue').check();
    // photo: dropped on its area (a DataTransfer with the file, as a drag from the desktop brings); docs: picked
    const dropped = await page.evaluateHandle((b64) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'pixel.png', { type: 'image/png' }));
      return transfer;
    }, PNG.toString('base64'));
    await editor.getByRole('group', { name: 'Drop files for photo' }).dispatchEvent('drop', { dataTransfer: dropped });
    expect(await editor.getByRole('list', { name: 'Files to upload to photo' }).innerText()).toContain('pixel.png');
    expect(await editor.getByRole('list', { name: 'Files to upload to photo' }).locator('img').getAttribute('src')).toMatch(/^blob:/);
    await editor.getByLabel('Upload docs').setInputFiles([
      { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('doc a') },
      { name: 'b.txt', mimeType: 'text/plain', buffer: Buffer.from('doc b') },
    ]);
    // relation pickers: search the related collection by its presentable field
    await editor.getByRole('button', { name: 'Choose tag', exact: true }).click();
    const picker = page.getByRole('dialog', { name: 'Choose tag from tags' });
    await picker.getByLabel('Search tags').fill('bet');
    await picker.getByRole('button', { name: /^beta/ }).click();
    await editor.getByRole('button', { name: 'Choose tags', exact: true }).click();
    const multi = page.getByRole('dialog', { name: 'Choose tags from tags' });
    await multi.getByRole('button', { name: /^alpha/ }).click();
    await multi.getByRole('button', { name: /^gamma/ }).click();
    await multi.getByRole('button', { name: 'Done' }).click();
    // JSON: an invalid document is flagged, then fixed
    const meta = editor.getByRole('textbox', { name: 'meta' });
    await meta.click();
    await page.keyboard.type('{"a": ');
    await poll(() => editor.getByText(/^Invalid JSON/).count()).toBe(1);
    await page.keyboard.type('[1, 2]}');
    await poll(() => editor.getByText(/^Invalid JSON/).count()).toBe(0);
    await editor.getByLabel('where latitude').fill('52.5');
    await editor.getByLabel('where longitude').fill('13.4');
    await d.checkPage(page, 'record-new');

    // the server refuses the email: its message appears beside the field
    await editor.getByRole('button', { name: 'Create' }).click();
    await poll(async () => (await editor.getByLabel('contact').getAttribute('aria-invalid')) ?? '').toBe('true');
    const contactError = await editor.getByLabel('contact').getAttribute('aria-describedby');
    expect(await page.locator(`#${contactError}`).innerText()).toMatch(/email/i);
    await editor.getByLabel('contact').fill('someone@example.com');
    await editor.getByRole('button', { name: 'Create' }).click();
    await editor.waitFor({ state: 'detached' });

    const [tagAlpha, tagBeta, tagGamma] = await Promise.all(['alpha', 'beta', 'gamma'].map((n) => pb.collection('tags').getFirstListItem(`name="${n}"`)));
    const saved = await pb.collection('items').getFirstListItem('title="First item"');
    expect(saved).toMatchObject({
      count: 42.5,
      done: true,
      contact: 'someone@example.com',
      site: 'https://example.com/x',
      body: '<p>Hello <strong>world</strong></p>',
      due: '2025-03-04 05:06:07.000Z',
      kind: 'b',
      labels: ['red', 'blue'],
      tag: tagBeta!.id,
      tags: [tagAlpha!.id, tagGamma!.id],
      meta: { a: [1, 2] },
      where: { lat: 52.5, lon: 13.4 },
    });
    expect(saved['photo']).toMatch(/^pixel_\w+\.png$/);
    expect(saved['docs']).toHaveLength(2);

    // the table shows it; opening it shows the thumbnail and protected files through a file token
    await page.getByRole('link', { name: `Open record ${saved.id}` }).click();
    const open = page.getByRole('dialog', { name: `Record ${saved.id}` });
    await open.getByLabel('title (required)').waitFor();
    expect(await open.getByLabel('title (required)').inputValue()).toBe('First item');
    // the chips are labelled once the chosen records are looked up (after the form shows)
    await poll(() => open.getByRole('list', { name: 'Chosen tags' }).innerText()).toMatch(/alpha[\s\S]*gamma/);
    const thumb = await open.getByRole('list', { name: 'Stored files of photo' }).locator('img').getAttribute('src');
    expect(thumb).toContain('thumb=100x100');
    expect((await fetch(thumb!)).status).toBe(200);
    const docLink = await open.getByRole('link', { name: saved['docs'][0] }).getAttribute('href');
    expect(docLink).toContain('token=');
    expect(await (await fetch(docLink!)).text()).toMatch(/^doc [ab]$/);
    await d.checkPage(page, 'record-edit');

    // edit: a new title, one doc removed, a tag removed
    await open.getByLabel('title (required)').fill('First item, edited');
    await open.getByRole('button', { name: `Remove ${saved['docs'][0]}` }).click();
    await open.getByRole('button', { name: /^Remove alpha from tags/ }).click();
    await open.getByRole('button', { name: 'Save' }).click();
    await poll(async () => (await pb.collection('items').getOne(saved.id))['title']).toBe('First item, edited');
    const edited = await pb.collection('items').getOne(saved.id);
    expect(edited['docs']).toEqual([saved['docs'][1]]);
    expect(edited['tags']).toEqual([tagGamma!.id]);

    await open.getByRole('button', { name: 'Delete' }).click();
    await open.getByRole('button', { name: 'Yes, delete' }).click();
    await open.waitFor({ state: 'detached' });
    await expect(pb.collection('items').getOne(saved.id)).rejects.toMatchObject({ status: 404 });
  }, 120_000);

  it('filters (with field completion) and sorts 10k records; the count comes apart from the pages', async () => {
    const page = await d.signedInPage('#/collections/numbers');
    const status = page.getByRole('navigation', { name: 'Pages' }).getByRole('status');
    await poll(() => status.innerText()).toBe('Records 1–50 of 10000');
    await d.checkPage(page, 'records-table');

    const filter = page.getByRole('combobox', { name: 'Filter' });
    await filter.fill('lab');
    await filter.press('End');
    await filter.dispatchEvent('input');
    await page.getByRole('option', { name: 'label' }).waitFor();
    await filter.press('ArrowDown');
    await filter.press('Enter');
    expect(await filter.inputValue()).toBe('label');

    // a filter the server cannot read: its message beside the filter
    await filter.fill('n >>> 3');
    await filter.press('Enter');
    await poll(() => page.getByRole('alert').first().innerText()).toContain('Invalid operator ">>>" at 2');

    await filter.fill('n >= 9990');
    await filter.press('Enter');
    await poll(() => status.innerText()).toBe('Records 1–10 of 10');
    await page.getByRole('button', { name: 'Sort by n' }).click();
    const table = page.getByRole('table', { name: 'Records of numbers' });
    await poll(async () => (await table.getByRole('row').nth(1).innerText()).includes('9990')).toBe(true);
    expect(await page.getByRole('columnheader', { name: 'Sort by n' }).getAttribute('aria-sort')).toBe('ascending');
    await page.getByRole('button', { name: 'Sort by n' }).click();
    await poll(async () => (await table.getByRole('row').nth(1).innerText()).includes('9999')).toBe(true);

    // paging over everything, sorted descending: page 2 starts at 9949
    await filter.fill('');
    await filter.press('Enter');
    await page.getByRole('button', { name: 'Next page' }).click();
    await poll(() => status.innerText()).toBe('Records 51–100 of 10000');
    await poll(() => table.getByRole('row').nth(1).innerText()).toContain('9949');

    // the chosen columns are kept in the browser
    await page.getByText('Columns', { exact: true }).click();
    await page.getByRole('group', { name: 'Columns shown' }).getByLabel('label').uncheck();
    expect(await page.getByRole('columnheader', { name: 'Sort by label' }).count()).toBe(0);
    await page.reload();
    await page.getByRole('columnheader', { name: 'Sort by n' }).waitFor();
    expect(await page.getByRole('columnheader', { name: 'Sort by label' }).count()).toBe(0);
  }, 120_000);

  it('shows others\' changes live: in the open table, and in an open record (with a conflict warning instead of an overwrite)', async () => {
    const first = await pb.collection('numbers').getFirstListItem('n=9999');
    const page = await d.signedInPage('#/collections/numbers');
    const table = page.getByRole('table', { name: 'Records of numbers' });
    await table.getByRole('link', { name: `Open record ${first.id}` }).waitFor();
    await page.getByText('Columns', { exact: true }).click();
    await page.getByRole('group', { name: 'Columns shown' }).getByLabel('label').check();
    await page.getByText('Columns', { exact: true }).click();
    await pb.collection('numbers').update(first.id, { label: 'changed elsewhere' });
    await poll(() => table.getByRole('row').nth(1).innerText()).toContain('changed elsewhere');
    await pb.collection('numbers').create({ n: 20_000, label: 'brand new' });
    await poll(() => table.getByRole('row').nth(1).innerText()).toContain('brand new');

    // an open record with unsaved changes: a newer version is announced, saving refuses to overwrite it
    await table.getByRole('link', { name: `Open record ${first.id}` }).click();
    const editor = page.getByRole('dialog', { name: `Record ${first.id}` });
    await editor.getByLabel('label').fill('mine');
    const opened = await pb.collection('numbers').getOne(first.id);
    await pb.collection('numbers').update(first.id, { label: 'theirs' });
    await editor.getByText(/changed by someone else while you were editing/).waitFor();
    // the save carries the version it started from (If-Match) and the server refuses it inside the write
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/records/${first.id}`)),
      editor.getByRole('button', { name: 'Save' }).click(),
    ]);
    expect(refused.status()).toBe(412);
    expect(refused.request().headers()['if-match']).toBe(`"${opened['updated']}"`);
    await editor.getByText(/^Not saved: this record was changed since you opened it/).waitFor();
    await d.checkPage(page, 'record-conflict');
    expect((await pb.collection('numbers').getOne(first.id))['label']).toBe('theirs');
    await editor.getByRole('button', { name: 'Overwrite with mine' }).click();
    await editor.getByRole('button', { name: 'Overwrite with mine' }).waitFor({ state: 'detached' });
    expect((await pb.collection('numbers').getOne(first.id))['label']).toBe('mine');
    // without unsaved changes, a change elsewhere simply shows in the form
    await pb.collection('numbers').update(first.id, { label: 'theirs again' });
    await poll(() => editor.getByLabel('label').inputValue()).toBe('theirs again');
    expect(await editor.getByRole('button', { name: 'Overwrite with mine' }).count()).toBe(0);
    // with unsaved changes again: reload takes their version
    await editor.getByLabel('label').fill('mine 3');
    await pb.collection('numbers').update(first.id, { label: 'theirs 3' });
    await editor.getByRole('button', { name: 'Reload their version' }).click();
    expect(await editor.getByLabel('label').inputValue()).toBe('theirs 3');
  }, 120_000);

  it('imports CSV with a column mapping (dry run lists per-row errors, writes nothing), in batches of the server limit, exports CSV and JSON, and imports its JSON export back (upsert by id)', async () => {
    const page = await d.signedInPage('#/collections/tags');
    await page.getByRole('heading', { name: 'tags' }).waitFor();
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import records into tags' });
    const rows = Array.from({ length: 12 }, (_, i) => `"tag, ${i + 1}",note`);
    rows[6] = '"",note'; // required name missing: the server refuses row 7
    // the import sends chunks of 5 (the batch limit): row 11 repeats row 2's unique name from another chunk,
    // and row 12 one a stored record holds
    rows[10] = '"tag, 2",note';
    rows[11] = 'alpha,note';
    await dialog.getByLabel('CSV or JSON file').setInputFiles({ name: 'tags.csv', mimeType: 'text/csv', buffer: Buffer.from(`Tag name,Note\r\n${rows.join('\r\n')}\r\n`) });
    await dialog.getByText('tags.csv: 12 rows, 2 columns.').waitFor();
    await dialog.getByLabel('name', { exact: true }).selectOption('Tag name');
    await dialog.getByRole('button', { name: 'Dry run' }).click();
    const issues = dialog.getByRole('list', { name: 'Row errors' });
    await issues.waitFor();
    expect(await issues.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringMatching(/^Row 7, name: .*blank/i),
      expect.stringMatching(/^Row 11, name: .*unique \(row 2 of the file has it too\)\.$/i),
      expect.stringMatching(/^Row 12, name: .*unique\.?$/i),
    ]);
    await d.checkPage(page, 'records-import');
    expect((await pb.collection('tags').getList(1, 1)).totalItems).toBe(3);

    rows[6] = '"tag, 7",note';
    rows[10] = '"tag, 11",note';
    rows[11] = '"tag, 12",note';
    await dialog.getByLabel('CSV or JSON file').setInputFiles({ name: 'tags.csv', mimeType: 'text/csv', buffer: Buffer.from(`Tag name,Note\r\n${rows.join('\r\n')}\r\n`) });
    await dialog.getByLabel('name', { exact: true }).selectOption('Tag name');
    await dialog.getByRole('button', { name: 'Dry run' }).click();
    await dialog.getByText(/Dry run passed/).waitFor();
    await dialog.getByRole('button', { name: 'Import 12 rows' }).click();
    await dialog.getByText('Imported 12 records.').waitFor();
    const all = await pb.collection('tags').getFullList({ sort: '@rowid' });
    expect(all.map((t) => t['name'])).toEqual(['alpha', 'beta', 'gamma', ...Array.from({ length: 12 }, (_, i) => `tag, ${i + 1}`)]);
    await dialog.getByRole('button', { name: 'Close' }).click();

    // export: the filter result as CSV (quoted commas) and JSON, streamed by the server; then two selected rows as JSON
    const filter = page.getByRole('combobox', { name: 'Filter' });
    await filter.fill("name ~ 'tag, 1'");
    await filter.press('Enter');
    const status = page.getByRole('navigation', { name: 'Pages' }).getByRole('status');
    await poll(() => status.innerText()).toBe('Records 1–4 of 4');
    await page.getByText('Export', { exact: true }).click();
    const csv = await download(page, () => page.getByRole('button', { name: 'Export all as CSV' }).click());
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('id,name,created,updated');
    expect(lines.slice(1).map((l) => l.split(',"')[1]!.split('"')[0]).sort()).toEqual(['tag, 1', 'tag, 10', 'tag, 11', 'tag, 12']);
    const filtered = JSON.parse(await download(page, () => page.getByRole('button', { name: 'Export all as JSON' }).click())) as Array<Record<string, unknown>>;
    expect(filtered.map((r) => Object.keys(r))).toEqual(Array(4).fill(['id', 'name', 'created', 'updated']));
    expect(filtered.map((r) => r['name']).sort()).toEqual(['tag, 1', 'tag, 10', 'tag, 11', 'tag, 12']);

    await filter.fill('');
    await filter.press('Enter');
    await poll(() => status.innerText()).toBe('Records 1–15 of 15');
    await page.getByRole('checkbox', { name: `Select ${all[0]!.id}` }).check();
    await page.getByRole('checkbox', { name: `Select ${all[1]!.id}` }).check();
    const exported = await download(page, () => page.getByRole('button', { name: 'Export selected as JSON' }).click());
    const json = JSON.parse(exported) as Array<{ id: string; name: string }>;
    expect(json.map((r) => r.name).sort()).toEqual(['alpha', 'beta']);

    // bulk delete of the selection, in one batch
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await poll(() => status.innerText()).toBe('Records 1–13 of 13');
    expect((await pb.collection('tags').getFullList()).map((t) => t['name'])).not.toContain('alpha');

    // the JSON export imported again: its ids are kept (upserts), autodate columns are left to the server
    await page.getByRole('button', { name: 'Import' }).click();
    await dialog.getByLabel('CSV or JSON file').setInputFiles({ name: 'tags.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
    await dialog.getByText('tags.json: 2 rows, 4 columns.').waitFor();
    await dialog.getByRole('button', { name: 'Import 2 rows' }).click();
    await dialog.getByText('Imported 2 records.').waitFor();
    expect((await pb.collection('tags').getFullList({ filter: 'name = "alpha" || name = "beta"' })).map((t) => t.id).sort()).toEqual(json.map((r) => r.id).sort());
    await dialog.getByRole('button', { name: 'Close' }).click();

    // a view's rows: listed (no rowid to sort by), opened read-only
    await page.goto(`${d.url}/_/#/collections/tagview`);
    await page.getByRole('link', { name: `Open record ${all[2]!.id}` }).click();
    await page.getByText('Records of a view collection are read-only').waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
  }, 120_000);

  it('auth records: password on create, impersonate (a working token), sign out everywhere, OAuth2 identities, MFA and OTP rows', async () => {
    const page = await d.signedInPage('#/collections/users');
    await page.getByRole('link', { name: 'New record' }).click();
    const editor = page.getByRole('dialog', { name: 'New users record' });
    await editor.getByLabel(/^email/).fill('ann@example.com');
    await editor.getByLabel('Password (required)').fill('ann-password-1');
    await editor.getByLabel('Confirm password').fill('ann-password-1');
    await editor.getByLabel('name').fill('Ann');
    await editor.getByRole('button', { name: 'Create' }).click();
    await editor.waitFor({ state: 'detached' });
    const ann = await pb.collection('users').getFirstListItem('email="ann@example.com"');
    const users = await pb.collections.getOne('users');
    await pb.collection('_externalAuths').create({ collectionRef: users.id, recordRef: ann.id, provider: 'github', providerId: 'gh-123' });
    await pb.collection('_otps').create({ collectionRef: users.id, recordRef: ann.id, password: 'otp-secret-1', sentTo: 'ann@example.com' });

    await page.getByRole('link', { name: `Open record ${ann.id}` }).click();
    const open = page.getByRole('dialog', { name: `Record ${ann.id}` });
    await open.getByRole('list', { name: 'OAuth2 identities' }).getByText('github').waitFor();
    expect(await open.getByRole('list', { name: 'One-time passwords' }).innerText()).toContain('sent to ann@example.com');
    await open.getByLabel('Token duration').selectOption({ label: '1 day' });
    await open.getByRole('button', { name: 'Impersonate' }).click();
    const token = await open.getByLabel('Token', { exact: true }).inputValue();
    const asAnn = () => fetch(`${d.url}/api/collections/users/records/${ann.id}`, { headers: { Authorization: token } });
    expect((await asAnn()).status).toBe(200);
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    expect(Math.abs(payload.exp - Date.now() / 1000 - 86400)).toBeLessThan(120);
    await d.checkPage(page, 'record-auth');
    // any duration: a custom number of seconds
    await open.getByLabel('Token duration').selectOption({ label: 'custom…' });
    await open.getByLabel('Seconds').fill('600');
    await open.getByRole('button', { name: 'Impersonate' }).click();
    await poll(async () => {
      const t = await open.getByLabel('Token', { exact: true }).inputValue();
      const exp = (JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;
      return Math.abs(exp - Date.now() / 1000 - 600) < 120;
    }).toBe(true);

    await open.getByRole('button', { name: 'Unlink github' }).click();
    await poll(async () => (await pb.collection('_externalAuths').getFullList()).length).toBe(0);
    await open.getByRole('button', { name: 'Send password reset' }).click();
    await page.getByText('A password-reset mail was sent to ann@example.com.').waitFor();

    await open.getByRole('button', { name: 'Sign out everywhere' }).click();
    await open.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
    await page.getByText('Every session of this account has ended.').waitFor();
    expect((await asAnn()).status).not.toBe(200);
    expect(d.problems).toEqual([]);
  });
});
