// `dev` mode in process: saved schema files apply live, bad ones are reported and ignored, data-losing
// ones wait for `migrate apply --allow-data-loss`, and the API's own write-back is not applied twice.
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigration, listMigrationHistory } from '../../src/index.ts';
import { startFileGalley, waitFor, type FileGalley } from './harness.ts';

const notes = (extra: object[] = []) => ({
  collections: [
    { name: 'notes', type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: null, fields: [{ name: 'text', type: 'text' }, ...extra] },
  ],
});

let g: FileGalley | undefined;
afterEach(async () => {
  await g?.close();
  g = undefined;
});

const logged = (text: string) => () => (g!.logs.some((l) => l.includes(text)) ? true : undefined);

describe('serve --dev (library mode, dev: true)', () => {
  it('applies a saved change live: a new field is served, records kept, old requests answered', async () => {
    g = await startFileGalley(notes(), { dev: true });
    expect((await g.call('POST', '/api/collections/notes/records', { body: { text: 'kept' } })).status).toBe(200);
    g.writeSchema(notes([{ name: 'stars', type: 'number' }]));
    await waitFor('the new field', async () => {
      const res = await g!.call('GET', '/api/collections/notes/records');
      return res.json.items[0] && 'stars' in res.json.items[0] ? res : undefined;
    });
    const created = await g.call('POST', '/api/collections/notes/records', { body: { text: 'new', stars: 3 } });
    expect(created.json).toMatchObject({ text: 'new', stars: 3 });
    expect((await g.call('GET', '/api/collections/notes/records?sort=created')).json.items.map((r: any) => r.text)).toEqual(['kept', 'new']);
    expect(g.logs.join('\n')).toContain('schema reloaded from');
  });

  it('an invalid file is reported with its JSON paths and the old schema keeps serving', async () => {
    g = await startFileGalley(notes(), { dev: true });
    g.writeSchema(notes([{ name: 'stars', type: 'nubmer' }]));
    await waitFor('the error report', logged('collections/0/fields/1/type: "nubmer" is not a field type; did you mean "number"?'));
    expect(g.logs.join('\n')).toContain('still serving the schema loaded before');
    const res = await g.call('POST', '/api/collections/notes/records', { body: { text: 'still here' } });
    expect(res.status, res.text).toBe(200);
    expect(res.json).not.toHaveProperty('stars');
    // and the broken JSON of a half-written save as well
    g.logs.length = 0;
    g.writeText('{"collections": [');
    await waitFor('the JSON error', logged('invalid JSON at line'));
    g.writeSchema(notes([{ name: 'stars', type: 'number' }]));
    await waitFor('the fixed file to apply', logged('schema reloaded from'));
    expect((await g.call('POST', '/api/collections/notes/records', { body: { stars: 1 } })).json.stars).toBe(1);
  });

  it('a change that loses data waits for migrate apply --allow-data-loss, then the server picks it up', async () => {
    g = await startFileGalley(notes([{ name: 'stars', type: 'number' }]), { dev: true });
    await g.call('POST', '/api/collections/notes/records', { body: { text: 'a', stars: 5 } });
    g.writeSchema(notes());
    await waitFor('the data-loss report', logged('picks the change up once it is applied'));
    expect(g.logs.join('\n')).toContain('[loses data] drop column "notes"."stars"');
    expect((await g.call('GET', '/api/collections/notes/records')).json.items[0].stars).toBe(5);
    // as `galley migrate apply --allow-data-loss` does from another process
    await applyMigration({ dir: g.dir, database: g.database, schemaFile: g.file, allowDataLoss: true });
    await waitFor('the server to serve the applied schema', async () => {
      const item = (await g!.call('GET', '/api/collections/notes/records')).json.items[0];
      return item && !('stars' in item) ? item : undefined;
    });
    expect(g.logs.join('\n')).toContain('a migration was applied to the database');
  });

  it('a view collection added by a save is served; a bad view query is reported with SQLite’s words', async () => {
    g = await startFileGalley(notes(), { dev: true });
    await g.call('POST', '/api/collections/notes/records', { body: { text: 'a' } });
    const view = (query: string) => ({ name: 'note_count', type: 'view', listRule: '', viewRule: '', viewQuery: query });
    g.writeSchema({ collections: [...notes().collections, view('SELECT nope AS id FROM notes')] });
    await waitFor('the view query error', logged('collections/1/viewQuery'));
    expect((await g.call('GET', '/api/collections/note_count/records')).status).toBe(404);
    g.writeSchema({ collections: [...notes().collections, view("SELECT (ROW_NUMBER() OVER()) AS id, count(*) AS total FROM notes")] });
    const list = await waitFor('the view', async () => {
      const res = await g!.call('GET', '/api/collections/note_count/records');
      return res.status === 200 ? res.json : undefined;
    });
    expect(list.items).toMatchObject([{ total: 1 }]);
  });

  it('a new auth collection gets its token secrets: sign-up and login work at once', async () => {
    g = await startFileGalley(notes(), { dev: true });
    g.writeSchema({ collections: [...notes().collections, { name: 'members', type: 'auth', createRule: '', listRule: 'id = @request.auth.id', fields: [] }] });
    await waitFor('the members collection', async () => ((await g!.call('GET', '/api/collections/members', { auth: g!.root })).status === 200 ? true : undefined));
    const body = { email: 'm@example.com', password: 'password123', passwordConfirm: 'password123' };
    expect((await g.call('POST', '/api/collections/members/records', { body })).status).toBe(200);
    const auth = await g.call('POST', '/api/collections/members/auth-with-password', { body: { identity: 'm@example.com', password: 'password123' } });
    expect(auth.status, auth.text).toBe(200);
    expect((await g.call('GET', '/api/collections/members/records', { auth: auth.json.token })).status).toBe(200);
  });

  it('an API write is written back once: the watcher sees its own file and applies nothing', async () => {
    g = await startFileGalley(notes(), { dev: true });
    const before = (await listMigrationHistory({ dir: g.dir, database: g.database })).migrations.length;
    const res = await g.call('POST', '/api/collections', { auth: g.root, body: { name: 'tags', fields: [{ name: 'label', type: 'text' }] } });
    expect(res.status, res.text).toBe(200);
    await waitFor('the watcher to see the written file', logged('matches the running schema'));
    expect((await listMigrationHistory({ dir: g.dir, database: g.database })).migrations.length).toBe(before + 1);
    expect((g.readSchema() as any).collections.map((c: any) => c.name)).toEqual(['notes', 'tags']);
  });

  it('requests running during reloads are all answered on one schema or the other', async () => {
    g = await startFileGalley(notes(), { dev: true });
    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      while (!stop) {
        const [a, b] = await Promise.all([
          g!.call('POST', '/api/collections/notes/records', { body: { text: 'x' } }),
          g!.call('GET', '/api/collections/notes/records?perPage=5&sort=-created'),
        ]);
        statuses.push(a.status, b.status);
      }
    })();
    for (let i = 1; i <= 4; i++) {
      g.writeSchema(notes(Array.from({ length: i }, (_, k) => ({ name: `f${k}`, type: 'number' }))));
      await waitFor(`reload ${i}`, async () => ((await g!.call('GET', '/api/collections/notes', { auth: g!.root })).json.fields.some((f: any) => f.name === `f${i - 1}`) ? true : undefined));
    }
    stop = true;
    await load;
    expect(statuses.length).toBeGreaterThan(8);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});
