// The dashboard's Collections section against the compiled binary in Chromium: the sidebar (search, pins and
// groups kept in the browser), the collection editor under `serve --dev` (a collection with one field of every
// type lands in the schema file; a lossy change shows its plan and needs a confirmation; a rule's error comes
// from the server as it is typed), indexes through the picker, export/import with a review, truncate, the API preview, and the read-only
// editor of a server without collection writes. Screenshots light + dark and axe on each page.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, startTestOidc } from '../../../server/test/oauth2/oidc-server.ts';
import { makeTempDir } from '../helpers/binary.ts';
import { chromiumAvailable, chromiumRequired, startDashboard, SUPERUSER, type Dashboard } from './harness.ts';

const SCHEMA = {
  collections: [
    { name: 'posts', type: 'base', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }, { name: 'views', type: 'number' }] },
    { name: 'members', type: 'auth', fields: [{ name: 'nick', type: 'text' }] },
  ],
};

/** every field type the editor offers, as PocketBase names them */
const TYPES = ['text', 'editor', 'number', 'bool', 'email', 'url', 'date', 'autodate', 'select', 'file', 'relation', 'json', 'geoPoint', 'password'];

async function superuserToken(url: string): Promise<string> {
  const res = await fetch(`${url}/api/collections/_superusers/auth-with-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identity: SUPERUSER.email, password: SUPERUSER.password }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function api(url: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: token, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const fileCollections = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { collections: any[] }).collections;

// generous per-test limits: axe over long pages in two themes is slow on a loaded machine
describe.skipIf(!chromiumAvailable && !chromiumRequired)('the Collections section under serve --dev', { timeout: 120_000 }, () => {
  let d: Dashboard;
  let dir: string;
  let file: string;
  let token: string;
  let page: Page;

  beforeAll(async () => {
    dir = makeTempDir();
    mkdirSync(join(dir, 'data'));
    file = join(dir, 'schema.json');
    writeFileSync(file, JSON.stringify(SCHEMA, null, 2));
    d = await startDashboard({ dir: join(dir, 'data'), schema: file, args: ['--dev'] });
    token = await superuserToken(d.url);
    for (const title of ['one', 'two']) await api(d.url, token, 'POST', '/api/collections/posts/records', { title, views: 1 });
    page = await d.signedInPage();
  }, 60_000);
  afterAll(async () => {
    await d?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the sidebar searches, pins and groups collections, and keeps pins and groups in the browser', async () => {
    const nav = page.getByRole('navigation', { name: 'Collections' });
    // the list arrives after sign-in: count only once it is there (a count at once read 0 in one full run)
    await nav.getByRole('link', { name: /^posts/ }).waitFor();
    await nav.getByLabel('Search collections').fill('mem');
    await nav.getByRole('link', { name: /^posts/ }).waitFor({ state: 'detached' });
    await expect(nav.getByRole('link', { name: /^members/ }).count()).resolves.toBe(1);
    await nav.getByLabel('Search collections').fill('');
    await nav.getByRole('link', { name: /^posts/ }).waitFor();
    await nav.getByRole('button', { name: 'Pin posts' }).click();
    await nav.getByRole('heading', { name: 'Pinned' }).waitFor();
    await nav.getByRole('button', { name: 'Groups' }).click();
    await nav.getByLabel('New group name').fill('People');
    await nav.getByRole('button', { name: 'Add group' }).click();
    await nav.getByLabel('Group of members').selectOption('People');
    await nav.getByRole('button', { name: 'Groups' }).click();
    await page.reload();
    await nav.getByRole('button', { name: /People/ }).waitFor();
    expect(await nav.getByRole('list', { name: 'Group People' }).getByRole('link', { name: /^members/ }).count()).toBe(1);
    expect(await nav.getByRole('list', { name: 'Pinned' }).getByRole('link', { name: /^posts/ }).count()).toBe(1);
    expect(await nav.getByRole('button', { name: 'Pin posts' }).getAttribute('aria-pressed')).toBe('true');
    await d.checkPage(page, 'collections-sidebar');
  });

  it('creates a collection with one field of every type, after its plan, and it lands in the schema file', async () => {
    await page.getByRole('link', { name: '+ New collection' }).click();
    await page.getByRole('heading', { name: 'New collection' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('everything');
    for (const type of TYPES) {
      await page.getByLabel('New field type').selectOption(type);
      await page.getByRole('button', { name: 'Add field' }).click();
    }
    // reorder: the ↓/↑ buttons, and a drag of one field onto another's place
    await page.getByRole('button', { name: 'Move password up' }).click();
    const fields = page.getByRole('list', { name: 'Fields' });
    // by the handle at the card's top-left corner, as a mouse user would, onto a field two places up
    await fields.getByRole('listitem').filter({ has: page.getByRole('group', { name: /: json$/ }) })
      .dragTo(fields.getByRole('listitem').filter({ has: page.getByRole('group', { name: /: file$/ }) }), { sourcePosition: { x: 16, y: 18 }, targetPosition: { x: 16, y: 18 } });
    // an option of a type: the text field's max length
    await page.getByRole('group', { name: /: text$/ }).getByText('Options of text').click();
    await page.getByRole('group', { name: /: text$/ }).getByLabel('Max', { exact: true }).fill('120');
    await d.checkPage(page, 'collection-new');
    await page.getByRole('button', { name: 'Create collection' }).click();
    const dialog = page.getByRole('dialog', { name: 'Review the migration plan' });
    await dialog.waitFor();
    expect(await dialog.getByRole('list', { name: 'Migration plan' }).innerText()).toContain('everything');
    await dialog.getByRole('button', { name: 'Apply changes' }).click();
    await page.getByRole('heading', { name: 'Schema of everything' }).waitFor();
    const saved = fileCollections(file).find((c) => c.name === 'everything');
    expect(saved).toBeDefined();
    const types = saved.fields.map((f: any) => f.type);
    for (const type of TYPES) expect(types, type).toContain(type);
    expect(saved.fields.find((f: any) => f.type === 'text' && f.name === 'text')).toMatchObject({ max: 120 });
    const names = saved.fields.map((f: any) => f.name);
    expect(names.slice(names.indexOf('select')), names.join(',')).toEqual(['select', 'json', 'file', 'relation', 'password', 'geopoint']);
    expect(names.indexOf('password')).toBe(names.indexOf('geopoint') - 1);
  });

  it('shows the server’s own error under a rule as it is typed', async () => {
    await page.goto(`${d.url}/_/#/collections/posts/schema`);
    await page.getByRole('heading', { name: 'Schema of posts' }).waitFor();
    const rule = page.getByRole('group', { name: 'List rule' });
    await rule.getByRole('textbox', { name: 'List rule' }).fill('nosuchfield = 1');
    await rule.getByRole('alert').waitFor();
    expect(await rule.getByRole('alert').innerText()).toMatch(/nosuchfield/);
    await rule.getByRole('textbox', { name: 'List rule' }).fill('title != ""');
    await rule.getByRole('alert').waitFor({ state: 'detached' });
    await d.checkPage(page, 'collection-schema');
  });

  it('a change that loses data shows its plan and needs an explicit confirmation', async () => {
    await page.getByRole('button', { name: 'Remove views' }).click();
    await page.getByRole('button', { name: 'Save changes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Review the migration plan' });
    await dialog.waitFor();
    expect(await dialog.getByRole('list', { name: 'Migration plan' }).innerText()).toContain('[loses data]');
    const apply = dialog.getByRole('button', { name: 'Apply changes' });
    expect(await apply.isDisabled()).toBe(true);
    await d.checkPage(page, 'collection-lossy-plan');
    await dialog.getByLabel('I understand that this change loses data').check();
    await apply.click();
    await dialog.waitFor({ state: 'detached' });
    const posts = fileCollections(file).find((c) => c.name === 'posts');
    expect(posts.fields.map((f: any) => f.name)).not.toContain('views');
    expect(posts.listRule).toBe('title != ""');
  });

  it('completes @request.* and fields in a rule', async () => {
    const box = page.getByRole('group', { name: 'View rule' }).getByRole('textbox', { name: 'View rule' });
    await box.click();
    await page.keyboard.type('@request.a');
    await page.getByRole('option', { name: /@request\.auth\.id/ }).waitFor();
    await page.keyboard.press('Escape');
    await box.fill('');
    await page.keyboard.type('tit');
    await page.getByRole('option', { name: /^title/ }).waitFor();
    await page.getByRole('button', { name: 'Discard changes' }).click();
  });

  it('previews a view query’s fields and rows as it is typed, and creates the view', async () => {
    await page.goto(`${d.url}/_/#/new-collection`);
    await page.getByRole('heading', { name: 'New collection' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('post_titles');
    await page.getByLabel('Type', { exact: true }).selectOption('view');
    await page.getByLabel('SELECT statement').fill('SELECT id, title FROM posts');
    const sample = page.getByRole('table', { name: 'Sample rows of the view' });
    await sample.waitFor();
    expect(await sample.getByRole('columnheader').allInnerTexts()).toEqual(['id', 'title']);
    expect(await sample.innerText()).toContain('"one"');
    await d.checkPage(page, 'collection-view');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await page.getByRole('dialog', { name: 'Review the migration plan' }).getByRole('button', { name: 'Apply changes' }).click();
    await page.getByRole('heading', { name: 'Schema of post_titles' }).waitFor();
    expect(fileCollections(file).find((c) => c.name === 'post_titles')).toMatchObject({ type: 'view', viewQuery: 'SELECT id, title FROM posts' });
  });

  it('edits an auth collection’s options, tests an OAuth2 provider, with a mail template preview', async () => {
    await page.goto(`${d.url}/_/#/collections/members/schema`);
    await page.getByRole('heading', { name: 'Schema of members' }).waitFor();
    await page.getByLabel('Enable OTP sign-in').check();
    await page.getByLabel('OTP length').fill('6');
    await page.getByLabel('Auth token duration (seconds)').fill('3600');
    await page.getByRole('group', { name: 'Manage rule' }).getByLabel('Superusers only').uncheck();
    await page.getByRole('textbox', { name: 'Manage rule' }).fill('@request.auth.id != ""');
    // an OAuth2 provider tested against a real OpenID provider on loopback: a wrong secret, then the right one
    const oidc = await startTestOidc();
    try {
      await page.getByLabel('Add a provider').selectOption('oidc');
      await page.getByRole('button', { name: 'Add provider' }).click();
      await page.getByLabel('oidc clientId', { exact: true }).fill(CLIENT_ID);
      await page.getByLabel('oidc clientSecret', { exact: true }).fill('not-the-secret');
      await page.getByLabel(/^oidc issuer/).fill(oidc.issuer);
      const result = page.getByRole('status', { name: 'Test of oidc' });
      await page.getByRole('button', { name: 'Test oidc' }).click();
      await result.getByText('oidc has a problem:').waitFor();
      const wrong = await result.innerText();
      expect(wrong).toContain('OpenID discovery passed');
      expect(wrong).toContain('Endpoints passed');
      expect(wrong).toMatch(/Client id and secret failed:.*invalid_client/);
      await page.getByLabel('oidc clientSecret', { exact: true }).fill(CLIENT_SECRET);
      await page.getByRole('button', { name: 'Test oidc' }).click();
      await result.getByText(/oidc works/).waitFor();
      expect(await result.innerText()).toMatch(/Client id and secret passed:.*invalid_grant/);
      await d.checkPage(page, 'collection-auth-provider-test');
      await page.getByRole('button', { name: 'Remove provider oidc' }).click();
    } finally {
      await oidc.close();
    }
    await page.getByRole('button', { name: 'Preview of verification email' }).click();
    await page.getByTitle('Preview of verification email').waitFor();
    await d.checkPage(page, 'collection-auth');
    await d.checkPhone(page, 'collection-auth', [page.getByLabel('OTP length'), page.getByRole('button', { name: 'Save changes' })]);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('dialog', { name: 'Review the migration plan' }).getByRole('button', { name: 'Apply changes' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const members = fileCollections(file).find((c) => c.name === 'members');
    expect(members).toMatchObject({ otp: { enabled: true, length: 6 }, authToken: { duration: 3600 }, manageRule: '@request.auth.id != ""' });
  });

  it('truncates a collection after its name is typed', async () => {
    expect((await api(d.url, token, 'GET', '/api/collections/posts/records')).json.totalItems).toBe(2);
    await page.goto(`${d.url}/_/#/collections/posts/schema`);
    await page.getByRole('button', { name: 'Truncate posts' }).click();
    const dialog = page.getByRole('dialog', { name: 'Truncate posts?' });
    expect(await dialog.getByRole('button', { name: 'Truncate' }).isDisabled()).toBe(true);
    await dialog.getByLabel(/to confirm/).fill('posts');
    await dialog.getByRole('button', { name: 'Truncate' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await api(d.url, token, 'GET', '/api/collections/posts/records')).json.totalItems).toBe(0);
  });

  it('adds a unique index with the picker (its CREATE INDEX shown, then in the plan and the schema file), edits and removes it', async () => {
    const postsIndexes = (): string[] => fileCollections(file).find((c) => c.name === 'posts').indexes ?? [];
    const saveThroughPlan = async (expected: string[]) => {
      await page.getByRole('button', { name: 'Save changes' }).click();
      const dialog = page.getByRole('dialog', { name: 'Review the migration plan' });
      const steps = await dialog.getByRole('list', { name: 'Migration plan' }).innerText();
      for (const e of expected) expect(steps).toContain(e);
      await dialog.getByRole('button', { name: 'Apply changes' }).click();
      await dialog.waitFor({ state: 'detached' });
    };
    await page.goto(`${d.url}/_/#/collections/posts/schema`);
    await page.getByRole('heading', { name: 'Schema of posts' }).waitFor();
    await page.getByRole('button', { name: 'Add index' }).click();
    const picker = page.getByRole('group', { name: 'New index' });
    await picker.getByLabel('title').check();
    await picker.getByLabel('Unique').check();
    expect(await picker.getByLabel('Statement of new index').innerText()).toBe('CREATE UNIQUE INDEX `idx_posts_title` ON `posts` (`title`)');
    await picker.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByRole('list', { name: 'Indexes' }).innerText()).toContain('CREATE UNIQUE INDEX `idx_posts_title` ON `posts` (`title`)');
    await saveThroughPlan(['create unique index "idx_posts_title" on "posts"']);
    expect(postsIndexes()).toEqual(['CREATE UNIQUE INDEX `idx_posts_title` ON `posts` (`title`)']);

    // edit: two columns in the order picked, not unique, a name of its own
    await page.getByRole('button', { name: 'Edit index 1' }).click();
    const edit = page.getByRole('group', { name: 'Index 1' });
    await edit.getByLabel('created').check();
    await edit.getByLabel('Unique').uncheck();
    await edit.getByLabel('Index name').fill('idx_title_created');
    await d.checkPage(page, 'collection-index-picker');
    await d.checkPhone(page, 'collection-index-picker', [edit.getByLabel('Index name'), edit.getByRole('button', { name: 'Done' })]);
    await edit.getByRole('button', { name: 'Done' }).click();
    await saveThroughPlan(['drop index "idx_posts_title"', 'create index "idx_title_created" on "posts"']);
    expect(postsIndexes()).toEqual(['CREATE INDEX `idx_title_created` ON `posts` (`title`, `created`)']);

    await page.getByRole('button', { name: 'Remove index 1' }).click();
    await saveThroughPlan(['drop index "idx_title_created"']);
    expect(postsIndexes()).toEqual([]);
  });

  it('shows the API preview with routes, rules in effect and SDK snippets', async () => {
    await page.goto(`${d.url}/_/#/collections/posts/schema`);
    await page.getByRole('list', { name: 'posts pages' }).getByRole('link', { name: 'API preview' }).click();
    await page.getByRole('heading', { name: 'API of posts' }).waitFor();
    // the routes table is laid out whole, before the text that follows it
    const table = (await page.getByRole('table', { name: 'Routes of posts' }).boundingBox())!;
    const after = (await page.getByRole('heading', { name: 'Query parameters' }).boundingBox())!;
    expect(after.y).toBeGreaterThanOrEqual(table.y + table.height - 1);
    const routes = await page.getByRole('table', { name: 'Routes of posts' }).innerText();
    expect(routes).toContain('/api/collections/posts/records');
    expect(routes).toContain('title != ""');
    expect(routes).toContain('Superusers only');
    expect(await page.getByRole('heading', { name: 'Realtime' }).count()).toBe(1);
    await d.checkPage(page, 'collection-api');
    await d.checkPhone(page, 'collection-api', [page.getByRole('heading', { name: 'Realtime' })]);
  });

  it('exports the collections and imports a list after reviewing what changes', async () => {
    await page.getByRole('link', { name: 'Import / export collections' }).click();
    await page.getByRole('heading', { name: 'Import and export collections' }).waitFor();
    const exported = JSON.parse(await page.getByLabel('Exported collections (JSON)').inputValue()) as any[];
    expect(exported.map((c) => c.name)).toEqual(expect.arrayContaining(['posts', 'members', 'everything']));
    const posts = exported.find((c) => c.name === 'posts');
    const changed = { ...posts, viewRule: '@request.auth.id != ""' };
    await page.getByLabel('Collections to import (JSON)').fill(JSON.stringify([changed, { name: 'tags', type: 'base', fields: [{ name: 'label', type: 'text' }] }]));
    await page.getByRole('button', { name: 'Review import' }).click();
    const diff = page.getByRole('list', { name: 'Changes of the import' });
    await diff.waitFor();
    const text = await diff.innerText();
    expect(text).toMatch(/tags\s+new/);
    expect(text).toMatch(/posts\s+changed/);
    expect(text).toContain('viewRule');
    await d.checkPage(page, 'collections-transfer');
    await d.checkPhone(page, 'collections-transfer', [page.getByLabel('Collections to import (JSON)'), page.getByRole('button', { name: 'Import 2 collections' })]);
    await page.getByRole('button', { name: 'Import 2 collections' }).click();
    const dialog = page.getByRole('dialog', { name: /import’s migration plan/ });
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.waitFor({ state: 'detached' });
    const after = fileCollections(file);
    expect(after.map((c) => c.name)).toContain('tags');
    expect(after.find((c) => c.name === 'posts').viewRule).toBe('@request.auth.id != ""');
  });

  it('saw no script error, CSP refusal or failed load', () => {
    expect(d.problems).toEqual([]);
  });
});

describe.skipIf(!chromiumAvailable && !chromiumRequired)('the collection editor of a server without collection writes', { timeout: 120_000 }, () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await startDashboard({ schema: SCHEMA });
  }, 60_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('is read-only and says how to enable writes', async () => {
    const page = await d.signedInPage('#/collections/posts/schema');
    await page.getByRole('heading', { name: 'Schema of posts' }).waitFor();
    const note = page.getByRole('note', { name: 'Read-only' });
    expect(await note.innerText()).toContain('--allow-collection-writes');
    expect(await page.getByRole('button', { name: 'Save changes' }).isDisabled()).toBe(true);
    expect(await page.getByLabel('Name', { exact: true }).isDisabled()).toBe(true);
    await d.checkPage(page, 'collection-schema-readonly');
    // a phone-width screen: the same editor, one column
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('heading', { name: 'Fields' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await d.checkPage(page, 'collection-schema-phone');
  });
});
