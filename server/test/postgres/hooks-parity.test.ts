// The hooks file's record API on SQLite and on PostgreSQL: model and after-commit hooks see the same records
// (`e.record` over the stored row: its values, `changes()`, `publicExport()`), and the `app` helpers
// (hooks-file/app-records.ts: find, count, newRecord/save, set + save, delete, runInTransaction) answer the
// same and write the same rows. Rows read back from PostgreSQL carry its `_rowid_` column; hooks never see it.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import type { HookRecord } from '../../src/hooks/hook-record.ts';
import { createHooksRegistry } from '../../src/hooks/hooks-registry.ts';
import { recordHooksPart } from '../../src/hooks-file/app-record-hooks.ts';
import { recordsAppPart } from '../../src/hooks-file/app-records.ts';
import { assembleHooksApp, type HooksApp } from '../../src/hooks-file/hooks-app.ts';
import { deleteRecord } from '../../src/records/delete.ts';
import { updateRecord } from '../../src/records/update.ts';
import { superuserRequest } from '../../src/rules/request-info.ts';
import { loadSchema } from '../../src/schema/load.ts';
import { parityCore, usePairedDatabases } from '../helpers/paired-databases.ts';
import { describePostgres } from '../helpers/postgres.ts';

const COLLECTIONS = [
  {
    name: 'posts',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'slug', type: 'text' },
      { name: 'views', type: 'number' },
      { name: 'published', type: 'bool' },
      { name: 'tags', type: 'select', values: ['red', 'blue'], maxSelect: 2 },
      { name: 'meta', type: 'json' },
      { name: 'secret', type: 'text', hidden: true },
    ],
    indexes: ['CREATE UNIQUE INDEX `idx_posts_slug` ON `posts` (`slug`)'],
  },
];

const id = (n: number) => `p${String(n).padStart(14, '0')}`;

/** What a hook or helper answered, or the error's name and message. */
async function outcome(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await run() };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** A hook record as user code reads it. */
const seen = (r: HookRecord) => ({ export: r.publicExport(), views: r.get('views'), published: r['published'], tags: r.get('tags'), changes: r.changes() });

async function runScenario(db: Database, dir: string): Promise<unknown[]> {
  const core = parityCore(db, loadSchema(COLLECTIONS), dir);
  const registry = createHooksRegistry();
  const app = assembleHooksApp([recordHooksPart, recordsAppPart], { core, registry }) as HooksApp & Record<string, any>;
  const trace: unknown[] = [];
  app.onRecordCreate(async (e: any) => {
    e.record.set('slug', String(e.record.get('title')).toLowerCase());
    trace.push(['create', seen(e.record)]);
    return e.next();
  }, 'posts');
  app.onRecordUpdate(async (e: any) => {
    trace.push(['update', seen(e.record)]);
    return e.next();
  }, 'posts');
  app.onRecordDelete(async (e: any) => {
    trace.push(['delete', seen(e.record)]);
    return e.next();
  }, 'posts');
  for (const name of ['onRecordAfterCreateSuccess', 'onRecordAfterUpdateSuccess', 'onRecordAfterDeleteSuccess']) {
    app[name](async (e: any) => {
      trace.push([name, seen(e.record)]);
      return e.next();
    }, 'posts');
  }
  core.hooks.useRegistry(registry, core.log);

  const step = async (name: string, run: () => Promise<unknown>) => trace.push([name, await outcome(run)]);
  const root = superuserRequest(core.schema.findCollection('_superusers')!);
  const plain = (r: HookRecord) => r.publicExport();
  for (const [n, title, views, published, tags, meta] of [
    [1, 'Alpha', 10, true, ['red'], { n: 1 }],
    [2, 'Beta', 2.5, false, [], null],
    [3, 'Gamma', 30, true, ['red', 'blue'], [1, 'x']],
  ] as const) {
    await step(`save new ${title}`, async () => plain(await app.save(app.newRecord('posts', { id: id(n), title, views, published, tags, meta, secret: `s${n}` }))));
  }
  await step('find by id', async () => seen(await app.findRecordById('posts', id(1))));
  await step('find first by filter', async () => plain(await app.findFirstRecordByFilter('posts', 'views > {:min} && published = {:on}', { min: 5, on: true })));
  await step('find by filter, sorted, paged', async () => (await app.findRecordsByFilter('posts', 'views >= 0', '-views', 2, 1)).map(plain));
  await step('count', () => app.countRecords('posts', 'tags:each ?= {:tag}', { tag: 'red' }));
  await step('find missing', async () => plain(await app.findRecordById('posts', id(9))));
  await step('set and save', async () => {
    const r = await app.findRecordById('posts', id(2));
    r.set('views', 7);
    r.set('published', true);
    return plain(await app.save(r));
  });
  await step('save a taken slug', async () => plain(await app.save(app.newRecord('posts', { id: id(4), title: 'alpha' }))));
  await step('transaction undone by its failure', () =>
    app.runInTransaction(async (tx: any) => {
      await tx.save(tx.newRecord('posts', { id: id(5), title: 'Delta' }));
      await tx.delete(await tx.findRecordById('posts', id(3)));
      throw new Error('changed my mind');
    }),
  );
  await step('count after the undone transaction', () => app.countRecords('posts'));
  // the services' own writes reach the model hooks with rows read back from the database
  await step('update through the service', () => updateRecord(core, root, 'posts', id(1), { views: 11, meta: { n: 2 } }, {}));
  await step('delete through app', async () => app.delete(await app.findRecordById('posts', id(3))));
  await step('delete through the service', () => deleteRecord(core, root, 'posts', id(2)));
  await step('rows left', async () => (await app.findRecordsByFilter('posts', '', 'created')).map(plain));
  return trace;
}

describePostgres('the hooks API on PostgreSQL: the same records as on SQLite', () => {
  const { lite, pg, dir } = usePairedDatabases('hooks', COLLECTIONS);

  it('model and after-commit hooks and the app helpers see and answer the same', async () => {
    const onSqlite = await runScenario(lite(), join(dir(), 'a'));
    const onPostgres = await runScenario(pg(), join(dir(), 'b'));
    // the scenario means something: what SQLite answered
    const at = (name: string) => (onSqlite.find((s) => (s as unknown[])[0] === name) as [string, unknown])[1];
    expect(at('count')).toEqual({ ok: 2 });
    expect(at('count after the undone transaction')).toEqual({ ok: 3 });
    expect(at('save a taken slug')).toMatchObject({ error: expect.any(String) });
    expect(at('set and save')).toMatchObject({ ok: { views: 7, published: true } });
    expect(onSqlite.filter((s) => (s as unknown[])[0] === 'delete')).toHaveLength(3);
    expect(onPostgres).toEqual(onSqlite);
  }, 60_000);
});
