// Galley's record extensions for the dashboard: If-Match on a record update (412 when the record changed since
// it was read, checked inside the write), the streamed export route and the whole-file import dry run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGalley, superuserToken, runScenario, type Scenario, type TestGalley } from './helpers/test-galley.ts';

let t: TestGalley;
const tokens: Record<string, string | null> = { guest: null };
const notes = '/api/collections/notes/records';

const schema = {
  collections: [
    {
      name: 'notes',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      fields: [
        { name: 'title', type: 'text', max: 60 },
        { name: 'code', type: 'text' },
        { name: 'rank', type: 'number' },
      ],
      indexes: ['CREATE UNIQUE INDEX idx_notes_code ON notes (code) WHERE code != \'\''],
    },
    { name: 'noteview', type: 'view', listRule: '', viewQuery: 'SELECT id, code, rank FROM notes', fields: [] },
    // `updated` is a plain date here: nothing is stamped on update, so If-Match cannot be checked
    { name: 'plain', updateRule: '', fields: [{ name: 'title', type: 'text' }, { name: 'created', type: 'date' }, { name: 'updated', type: 'date' }] },
  ],
};

/** The next millisecond: an `updated` stamp written after this differs from one written before. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((r) => setImmediate(r));
}

async function createNote(body: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await t.call('POST', notes, { body, auth: tokens['root'] });
  if (res.status !== 200) throw new Error(`seed: ${res.status} ${res.text}`);
  await nextMillisecond();
  return res.json;
}

beforeAll(async () => {
  t = await startTestGalley(schema);
  tokens['root'] = await superuserToken(t);
}, 60_000);

afterAll(() => t?.close());

describe('If-Match on a record update', () => {
  const state: Record<string, any> = {};
  beforeAll(async () => {
    state['fresh'] = await createNote({ title: 'fresh' });
    state['stale'] = await createNote({ title: 'stale' });
    // someone else's save between the editor's load and its save
    const other = await t.call('PATCH', `${notes}/${state['stale'].id}`, { body: { title: 'changed by someone else' } });
    expect(other.status).toBe(200);
    state['plain'] = (await t.call('POST', '/api/collections/plain/records', { body: { title: 'p' }, auth: tokens['root'] })).json;
  });
  const quoted = (v: string) => `"${v}"`;
  // the header is known only once beforeAll has run: `ifMatch` is called when the row runs
  const table: Array<Scenario & { ifMatch?: () => string }> = [
    {
      name: 'the updated value the client read still holds: saved',
      method: 'PATCH',
      path: () => `${notes}/${state['fresh'].id}`,
      ifMatch: () => quoted(state['fresh'].updated),
      body: { title: 'fresh, edited' },
      status: 200,
      contains: ['fresh, edited'],
      events: ['update:notes'],
    },
    {
      name: 'a change since it was read: 412 in PocketBase’s error shape, nothing written',
      method: 'PATCH',
      path: () => `${notes}/${state['stale'].id}`,
      ifMatch: () => quoted(state['stale'].updated),
      body: { title: 'my stale edit' },
      status: 412,
      contains: ['"status":412', '"data":{}', 'changed since it was read'],
      events: [],
    },
    {
      name: 'an unquoted value is read the same',
      method: 'PATCH',
      path: () => `${notes}/${state['stale'].id}`,
      ifMatch: () => state['stale'].updated,
      body: { title: 'my stale edit' },
      status: 412,
      events: [],
    },
    {
      name: 'If-Match: * only asks that the record exists',
      method: 'PATCH',
      path: () => `${notes}/${state['stale'].id}`,
      headers: { 'If-Match': '*' },
      body: { rank: 3 },
      status: 200,
      events: ['update:notes'],
    },
    {
      name: 'a weak tag never matches',
      method: 'PATCH',
      path: () => `${notes}/${state['fresh'].id}`,
      headers: { 'If-Match': 'W/"anything"' },
      body: { rank: 1 },
      status: 412,
      events: [],
    },
    {
      name: 'a missing record is still a 404, not a 412',
      method: 'PATCH',
      path: `${notes}/missingmissing1`,
      headers: { 'If-Match': '"2020-01-01 00:00:00.000Z"' },
      body: { rank: 1 },
      status: 404,
    },
    {
      name: 'a collection with nothing stamped on update cannot check it: 400',
      method: 'PATCH',
      path: () => `/api/collections/plain/records/${state['plain'].id}`,
      headers: { 'If-Match': '"2020-01-01 00:00:00.000Z"' },
      body: { title: 'q' },
      status: 400,
      contains: ['If-Match needs an autodate field set on update'],
      events: [],
    },
    {
      name: 'without If-Match nothing changes: the stale edit overwrites',
      method: 'PATCH',
      path: () => `${notes}/${state['stale'].id}`,
      body: { title: 'overwritten' },
      status: 200,
      contains: ['overwritten'],
    },
  ];
  it.each(table)('$name', async ({ ifMatch, ...s }) => {
    await runScenario(t, ifMatch ? { ...s, headers: { 'If-Match': ifMatch() } } : s, tokens);
  });

  it('two saves of the same version at once: the writer lets exactly one through', async () => {
    const note = await createNote({ title: 'raced' });
    const save = (title: string) => t.call('PATCH', `${notes}/${note.id}`, { body: { title }, headers: { 'If-Match': `"${note['updated']}"` } });
    const results = await Promise.all([save('first'), save('second'), save('third')]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412, 412]);
    const winner = results.find((r) => r.status === 200)!.json.title;
    expect((await t.call('GET', `${notes}/${note.id}`)).json.title).toBe(winner);
  });

  it('in a batch, a sub-request’s If-Match is checked in the batch’s transaction', async () => {
    const note = await createNote({ title: 'batched' });
    await t.call('PATCH', `${notes}/${note.id}`, { body: { title: 'moved on' } });
    const res = await t.call('POST', '/api/batch', {
      auth: tokens['root'],
      body: { requests: [{ method: 'PATCH', url: `/api/collections/notes/records/${note.id}`, headers: { 'If-Match': `"${note['updated']}"` }, body: { title: 'stale batch' } }] },
    });
    expect(res.status).toBe(400);
    expect(res.json.data.requests['0'].response.status).toBe(412);
  });
});

describe('export route', () => {
  const exportPath = (q: string) => `/api/galley/collections/notes/export?${q}`;
  beforeAll(async () => {
    // in groups sent together: the writer commits each group at once
    for (let at = 0; at < 1203; at += 200) {
      const group = Array.from({ length: Math.min(200, 1203 - at) }, (_, k) => at + k);
      await Promise.all(group.map((i) => t.call('POST', notes, { body: { title: `bulk ${i}, "quoted"`, code: `bulk-${i}`, rank: i } })));
    }
  }, 120_000);

  it('streams a filter result as CSV over several pages (header once, every row once)', async () => {
    const res = await t.call('GET', exportPath(`format=csv&filter=${encodeURIComponent("code ~ 'bulk-'")}&sort=rank&columns=id,title,rank`), { auth: tokens['root'] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="notes-.*\.csv"$/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,title,rank');
    expect(lines).toHaveLength(1 + 1203);
    expect(lines[1]).toMatch(/^[a-z0-9]{15},"bulk 0, ""quoted""",0$/);
    expect(lines[1203]).toMatch(/,1202$/);
  });

  it('streams JSON: one array, the chosen columns only', async () => {
    const res = await t.call('GET', exportPath(`format=json&filter=${encodeURIComponent('rank >= 1200')}&sort=-rank&columns=code,rank`), { auth: tokens['root'] });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual([
      { code: 'bulk-1202', rank: 1202 },
      { code: 'bulk-1201', rank: 1201 },
      { code: 'bulk-1200', rank: 1200 },
    ]);
  });

  it('guards text a spreadsheet would run as a formula with one leading apostrophe (numbers untouched)', async () => {
    const titles = ['=HYPERLINK("http://evil")', "'=already", '+1', '@sum', 'plain'];
    for (const [i, title] of titles.entries()) await t.call('POST', notes, { body: { title, code: `formula-${i}`, rank: -i } });
    const res = await t.call('GET', exportPath(`format=csv&filter=${encodeURIComponent("code ~ 'formula-'")}&sort=code&columns=title,rank`), { auth: tokens['root'] });
    expect(res.text.trimEnd().split('\r\n')).toEqual(['title,rank', `"'=HYPERLINK(""http://evil"")",0`, "''=already,-1", "'+1,-2", "'@sum,-3", 'plain,-4']);
  });

  it('an empty result is a header-only CSV and an empty JSON array', async () => {
    const none = encodeURIComponent("code = 'none'");
    expect((await t.call('GET', exportPath(`format=csv&filter=${none}&columns=id,code`), { auth: tokens['root'] })).text).toBe('id,code\r\n');
    expect(JSON.parse((await t.call('GET', exportPath(`format=json&filter=${none}`), { auth: tokens['root'] })).text)).toEqual([]);
  });

  it('a view (no rowid) is paged as the list pages it', async () => {
    const res = await t.call('GET', `/api/galley/collections/noteview/export?format=csv&columns=code&sort=rank&filter=${encodeURIComponent("code ~ 'bulk-'")}`, { auth: tokens['root'] });
    expect(res.status).toBe(200);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 1203);
    expect(lines.slice(1, 4)).toEqual(['bulk-0', 'bulk-1', 'bulk-2']);
    expect(lines[1203]).toBe('bulk-1202');
  });

  it('pages are read as the file is taken: a record deleted meanwhile is left out, the rest keep their order', async () => {
    const victim = (await t.call('GET', `${notes}?filter=${encodeURIComponent("code = 'bulk-1100'")}`, { auth: tokens['root'] })).json.items[0];
    const res = await t.galley.handle(
      new Request(`http://127.0.0.1:8090${exportPath(`format=csv&columns=code&sort=rank&filter=${encodeURIComponent("code ~ 'bulk-'")}`)}`, { headers: { authorization: tokens['root']! } }),
    );
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes('bulk-499\r\n')) text += decoder.decode((await reader.read()).value!, { stream: true });
    expect(text).not.toContain('bulk-1100');
    expect((await t.call('DELETE', `${notes}/${victim.id}`, { auth: tokens['root'] })).status).toBe(204);
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
    const codes = text.trimEnd().split('\r\n').slice(1);
    expect(codes).toHaveLength(1202);
    expect(codes).not.toContain('bulk-1100');
    expect(codes.slice(1099, 1101)).toEqual(['bulk-1099', 'bulk-1101']);
  });

  it('a superuser file token in the URL stands for the Authorization header (a browser download)', async () => {
    const { json: token } = await t.call('POST', '/api/files/token', { auth: tokens['root'] });
    const res = await t.call('GET', exportPath(`format=csv&columns=code&filter=${encodeURIComponent("code = 'bulk-7'")}&token=${token.token}`));
    expect(res.status).toBe(200);
    expect(res.text).toBe('code\r\nbulk-7\r\n');
  });

  const refusals: Scenario[] = [
    { name: 'a guest is refused', method: 'GET', path: exportPath('format=csv'), status: 401, contains: ['"data":{}'] },
    { name: 'a forged token is refused', method: 'GET', path: exportPath('format=csv&token=nope'), status: 401 },
    { name: 'a bad filter is a 400 before anything streams', method: 'GET', path: exportPath(`filter=${encodeURIComponent('nope = 1')}`), as: 'root', status: 400 },
    { name: 'an unknown column is a 400', method: 'GET', path: exportPath('columns=id,nope'), as: 'root', status: 400, contains: ['nope'] },
    { name: 'an unknown format is a 400', method: 'GET', path: exportPath('format=xml'), as: 'root', status: 400 },
    { name: 'an unknown collection is a 404', method: 'GET', path: '/api/galley/collections/nope/export', as: 'root', status: 404 },
  ];
  it.each(refusals)('$name', async (s) => {
    await runScenario(t, s, tokens);
  });
});

describe('import dry run route', () => {
  const dryRun = '/api/galley/collections/notes/import-dry-run';

  it('checks unique values across the whole file and against stored rows, and keeps nothing', async () => {
    await createNote({ title: 'stored', code: 'taken' });
    const before = (await t.call('GET', `${notes}?perPage=1`, { auth: tokens['root'] })).json.totalItems;
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < 120; i++) rows.push({ title: `row ${i}`, code: `dry-${i}` });
    rows[100] = { title: 'clashes with row 2 of the file', code: 'dry-2' };
    rows[110] = { title: 'clashes with a stored record', code: 'taken' };
    rows[115] = { title: 'x'.repeat(61), code: 'dry-115' };
    const res = await runScenario(t, { name: 'dry run', method: 'POST', path: dryRun, as: 'root', body: { rows }, status: 200, events: [] }, tokens);
    expect(res.json.checked).toBe(120);
    expect(res.json.issues.map((i: any) => [i.index, i.status, Object.keys(i.data)])).toEqual([
      [100, 400, ['code']],
      [110, 400, ['code']],
      [115, 400, ['title']],
    ]);
    expect(res.json.issues[0].data.code.code).toBe('validation_not_unique');
    expect((await t.call('GET', `${notes}?perPage=1`, { auth: tokens['root'] })).json.totalItems).toBe(before);
  });

  it('a row with a stored id is checked as an update of that record', async () => {
    const stored = await createNote({ title: 'to update', code: 'upd-1' });
    const res = await t.call('POST', dryRun, { auth: tokens['root'], body: { rows: [{ id: stored.id, code: 'upd-1', title: 'same code, same record' }, { code: 'upd-1' }] } });
    expect(res.status).toBe(200);
    expect(res.json.issues.map((i: any) => i.index)).toEqual([1]);
    expect((await t.call('GET', `${notes}/${stored.id}`)).json.title).toBe('to update');
  });

  it('a row naming the id an earlier row of the file created is checked as an update of it, as the import upserts', async () => {
    const id = 'dryrunupsert001';
    const res = await t.call('POST', dryRun, { auth: tokens['root'], body: { rows: [{ id, code: 'ups-1', title: 'first' }, { id, code: 'ups-1', title: 'again' }] } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ checked: 2, issues: [] });
    expect((await t.call('GET', `${notes}/${id}`, { auth: tokens['root'] })).status).toBe(404);
  });

  const refusals: Scenario[] = [
    { name: 'a guest is refused', method: 'POST', path: dryRun, body: { rows: [] }, status: 401 },
    { name: 'a body without rows is a 400', method: 'POST', path: dryRun, as: 'root', body: { rows: 'x' }, status: 400 },
    { name: 'a row that is not an object is listed, not fatal', method: 'POST', path: dryRun, as: 'root', body: { rows: [1, { code: 'ok-1' }] }, status: 200, contains: ['"index":0', '"checked":2'], notContains: ['"index":1'] },
  ];
  it.each(refusals)('$name', async (s) => {
    await runScenario(t, s, tokens);
  });
});
