// The record services (records/list, view, create, update, delete: the one record-write pipeline) run the same
// operations on a SQLite Database and on a PostgreSQL one (db/open-postgres-database.ts), and must answer the same:
// the same records, errors (kind, message, field codes) and record events, in the same order. Both databases get
// their tables from applySchemaOnStart; the dialect reaches the filter compiler from the Database alone (nothing
// here passes one). Then the PostgreSQL write path on its own: a job is one transaction,
// savepoints for nested jobs, after-commit after COMMIT, serialization failures retried or answered 503.
import { join } from 'node:path';
import { CompiledQuery, sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/core.ts';
import type { Database } from '../../src/db/database.ts';
import { authWithPassword } from '../../src/auth/password-auth.ts';
import { buildIdentityMatch, findAuthRecordByEmail } from '../../src/auth/find-auth-record.ts';
import { BatchRequestFailed, runBatch } from '../../src/batch/run-batch.ts';
import { GalleyError } from '../../src/errors.ts';
import { createRecord } from '../../src/records/create.ts';
import { deleteRecord } from '../../src/records/delete.ts';
import { exportRecords } from '../../src/records/export-records.ts';
import { listRecords } from '../../src/records/list.ts';
import { updateRecord } from '../../src/records/update.ts';
import { viewRecord } from '../../src/records/view.ts';
import { guestRequest, superuserRequest, type RequestInfo } from '../../src/rules/request-info.ts';
import { loadSchema } from '../../src/schema/load.ts';
import type { Schema } from '../../src/schema/model.ts';
import { parityCore, usePairedDatabases } from '../helpers/paired-databases.ts';
import { describePostgres } from '../helpers/postgres.ts';

const COLLECTIONS = [
  {
    name: 'authors',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [
      { name: 'name', type: 'text', required: true, max: 50 },
      { name: 'rank', type: 'number' },
      { name: 'active', type: 'bool' },
    ],
  },
  {
    name: 'posts',
    listRule: 'published = true',
    viewRule: 'published = true',
    createRule: 'views >= 0',
    updateRule: 'views < 100',
    deleteRule: "title != 'keep'",
    fields: [
      { name: 'title', type: 'text', required: true, max: 100 },
      { name: 'slug', type: 'text' },
      { name: 'views', type: 'number' },
      { name: 'published', type: 'bool' },
      { name: 'author', type: 'relation', collectionId: 'authors', maxSelect: 1, cascadeDelete: true },
      { name: 'tags', type: 'select', values: ['red', 'blue', 'green'], maxSelect: 3 },
      { name: 'meta', type: 'json' },
    ],
    indexes: ['CREATE UNIQUE INDEX `idx_posts_slug` ON `posts` (`slug`)'],
  },
  {
    name: 'members',
    type: 'auth',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: 'id = @request.auth.id',
    deleteRule: null,
    fields: [{ name: 'nick', type: 'text' }],
  },
];

/** What a service answered: the value, or the error as the wire would carry it (kind, message, field codes). */
type Outcome = { ok: unknown } | { error: { kind: string; message: string; issues?: unknown; batchIndex?: number } };

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await run() };
  } catch (caught) {
    const batchIndex = caught instanceof BatchRequestFailed ? { batchIndex: caught.index } : {};
    const err = caught instanceof BatchRequestFailed ? caught.cause : caught;
    if (!(err instanceof GalleyError)) throw err;
    return { error: { kind: err.kind, message: err.message, ...(err.issues ? { issues: err.issues } : {}), ...batchIndex } };
  }
}

/** A records export (records/export-records.ts) read to its end. */
async function exportText(core: Core, info: RequestInfo, req: { format: string; filter: string; sort: string; columns: string }): Promise<string> {
  const out = await exportRecords(core, info, 'posts', req);
  return `${out.fileName} ${out.contentType}\n${await new Response(out.body).text()}`;
}

const batchCall = (method: string, url: string, body: Record<string, unknown> = {}) => ({ method, url, headers: {}, body, files: {} });

interface Engine {
  core: Core;
  events: string[];
  root: RequestInfo;
}

function makeEngine(db: Database, schema: Schema, dir: string): Engine {
  const core = parityCore(db, schema, dir);
  const events: string[] = [];
  // a sign-in's _authOrigins record gets a random id
  core.hooks.onRecord((e) => events.push(`${e.action} ${e.collection.name} ${e.collection.name === '_authOrigins' ? '(new id)' : String(e.row['id'])}`));
  return { core, events, root: superuserRequest(schema.findCollection('_superusers')!) };
}

const guest = guestRequest();
const id = (n: number, prefix: string) => `${prefix}${String(n).padStart(15 - prefix.length, '0')}`;

/** The scenario: every step's outcome, in order, plus the record events it caused. */
async function runScenario(e: Engine): Promise<Array<{ step: string; out: Outcome; events: string[] }>> {
  const { core, root } = e;
  const steps: Array<{ step: string; out: Outcome; events: string[] }> = [];
  const step = async (name: string, run: () => Promise<unknown>) => {
    const before = e.events.length;
    const out = await outcome(run);
    steps.push({ step: name, out, events: e.events.slice(before) });
  };
  for (const [n, name, rank, active] of [[1, 'Ann', 3, true], [2, 'bob', null, false], [3, 'Cy', -1.5, true]] as const) {
    await step(`create author ${name}`, () => createRecord(core, root, 'authors', { id: id(n, 'a'), name, rank, active }, {}));
  }
  const posts: Array<Record<string, unknown>> = [
    { title: 'alpha', slug: 'alpha', views: 10, published: true, author: id(1, 'a'), tags: ['red', 'blue'], meta: { n: 5, s: 'x' } },
    { title: 'Beta', slug: 'beta', views: 0, published: false, author: id(2, 'a'), tags: [], meta: null },
    { title: 'gamma', slug: 'gamma', views: 99, published: true, author: id(2, 'a'), tags: ['green'], meta: { n: -2 } },
    { title: 'keep', slug: 'keep', views: 5, published: true, author: id(3, 'a'), tags: ['red'], meta: [1, 'two'] },
    { title: 'delta', slug: 'delta', views: 150, published: true, author: '', tags: ['blue', 'green'], meta: 'plain' },
    { title: 'alpha', slug: 'alpha-2', views: 10, published: true, author: id(3, 'a'), tags: ['red'], meta: { n: 12 } },
  ];
  for (const [i, p] of posts.entries()) await step(`create post ${i + 1}`, () => createRecord(core, root, 'posts', { id: id(i + 1, 'p'), ...p }, {}));

  // refusals: the create rule, a unique slug, a required title, an unknown relation, a bad select value
  await step('guest create refused by the rule', () => createRecord(core, guest, 'posts', { id: id(20, 'p'), title: 'neg', views: -1 }, {}));
  await step('duplicate slug', () => createRecord(core, root, 'posts', { id: id(21, 'p'), title: 'dup', slug: 'alpha' }, {}));
  await step('missing title', () => createRecord(core, root, 'posts', { id: id(22, 'p'), slug: 'x' }, {}));
  await step('unknown author', () => createRecord(core, root, 'posts', { id: id(23, 'p'), title: 'x', author: id(9, 'a') }, {}));
  await step('bad tag', () => createRecord(core, root, 'posts', { id: id(24, 'p'), title: 'x', tags: ['pink'] }, {}));
  await step('duplicate id', () => createRecord(core, root, 'posts', { id: id(1, 'p'), title: 'again' }, {}));
  await step('guest create', () => createRecord(core, guest, 'posts', { id: id(25, 'p'), title: 'by guest', slug: 'guest', views: 1, published: true }, {}));

  // lists: the rule, filters, sorts with NULLs and ties, pages, expand, JSON paths
  const lists: Array<[RequestInfo, Record<string, string>]> = [
    [guest, {}],
    [root, {}],
    [guest, { sort: '-views,title' }],
    [root, { sort: 'slug' }],
    [root, { sort: '-slug' }],
    [root, { sort: 'title' }],
    [root, { sort: 'author.name,-created' }],
    [root, { sort: '-author.rank' }],
    [root, { sort: 'meta.n' }],
    [root, { filter: 'tags ?= "red"', sort: '@rowid' }],
    [root, { filter: 'meta.n > 1' }],
    [root, { filter: 'title ~ "A"' }],
    [root, { filter: 'author.name = "Cy" || slug = "gamma"' }],
    [root, { filter: 'published = false' }],
    [guest, { perPage: '2', page: '2' }],
    [root, { perPage: '3', page: '2', sort: 'title' }],
    [root, { expand: 'author', filter: 'author != ""', sort: '-views' }],
    [root, { skipTotal: '1', sort: 'tags' }],
    [guest, { filter: 'views >' }],
    [guest, { filter: 'secret = 1' }],
  ];
  for (const [who, query] of lists) {
    await step(`list ${who === root ? 'root' : 'guest'} ${JSON.stringify(query)}`, () => listRecords(core, who, 'posts', query));
  }
  await step('list authors', () => listRecords(core, guest, 'authors', { sort: 'rank' }));
  // the filter cost model (rules/filter-cost.ts) is the same on both: a back-relation is costly (the read-aside
  // path: statement_timeout on PostgreSQL), five multi-valued hops are over the client's budget
  await step('list authors by a back-relation (costly)', () => listRecords(core, guest, 'authors', { filter: 'posts_via_author.tags:each ?= "red"', sort: '-name' }));
  await step('list authors over the hop budget', () =>
    listRecords(core, root, 'authors', { filter: "posts_via_author.tags:each ?= 'red' && @collection.posts.tags:each ?= 'blue' && @collection.posts:b.title ?= 'x'" }),
  );
  await step('view published', () => viewRecord(core, guest, 'posts', id(1, 'p'), { expand: 'author' }));
  await step('view unpublished as guest', () => viewRecord(core, guest, 'posts', id(2, 'p'), {}));
  await step('view missing', () => viewRecord(core, root, 'posts', id(99, 'p'), {}));

  await step('guest update', () => updateRecord(core, guest, 'posts', id(1, 'p'), { title: 'alpha!', tags: ['green'] }, {}));
  await step('guest update refused by the rule', () => updateRecord(core, guest, 'posts', id(5, 'p'), { title: 'x' }, {}));
  await step('update to a taken slug', () => updateRecord(core, root, 'posts', id(2, 'p'), { slug: 'keep' }, {}));
  await step('update clears a required title', () => updateRecord(core, root, 'posts', id(2, 'p'), { title: '' }, {}));
  await step('update json and number', () => updateRecord(core, root, 'posts', id(2, 'p'), { meta: { o: { k: 'v' } }, views: 7.25, published: true }, {}));

  // a batch is one transaction: the second write fails, so the first is undone with it
  await step('batch that fails', () =>
    core.db.writer.run(async () => {
      await createRecord(core, root, 'posts', { id: id(30, 'p'), title: 'in batch', slug: 'batch' }, {});
      await createRecord(core, root, 'posts', { id: id(31, 'p'), title: 'in batch 2', slug: 'batch' }, {});
    }),
  );
  await step('batch that succeeds', () =>
    core.db.writer.run(async () => {
      const a = await createRecord(core, root, 'posts', { id: id(32, 'p'), title: 'b1', slug: 'b1' }, {});
      // an inner failure caught by the batch undoes only its own savepoint
      const b = await outcome(() => createRecord(core, root, 'posts', { id: id(33, 'p'), title: 'b2', slug: 'b1' }, {}));
      const c = await updateRecord(core, root, 'posts', id(32, 'p'), { views: 3 }, {});
      return [a, b, c];
    }),
  );

  await step('guest delete refused by the rule', () => deleteRecord(core, guest, 'posts', id(4, 'p')));
  // an auth collection: emails unique whatever their case (SQLite's COLLATE NOCASE index)
  const member = (n: number, email: string, extra: Record<string, unknown> = {}) =>
    createRecord(core, guest, 'members', { id: id(n, 'm'), email, password: 'secret-pass-1', passwordConfirm: 'secret-pass-1', nick: `n${n}`, ...extra }, {});
  await step('create member', () => member(1, 'ann@example.com'));
  await step('create member, public email', () => member(2, 'bob@example.com', { emailVisibility: true }));
  await step('member email taken in another case', () => member(3, 'ANN@example.com'));
  // sign-in and lookups by email ignore its case (`= ? COLLATE NOCASE`; lower() = lower() on PostgreSQL)
  const signIn = (identity: string, password: string) => async () => {
    const out = await authWithPassword(core, guest, 'members', { identity, password });
    return 'record' in out ? { id: out.record['id'], email: out.record['email'] } : out;
  };
  await step('sign in by email in another case', signIn('ANN@Example.COM', 'secret-pass-1'));
  await step('sign in by email, wrong password', signIn('ann@example.com', 'not-the-pass-1'));
  await step('sign in by an unknown email', signIn('ann@example.org', 'secret-pass-1'));
  await step('find member by email in another case', async () => (await findAuthRecordByEmail(core, core.schema.findCollection('members')!, 'Bob@EXAMPLE.com'))?.['id']);
  await step('member email changed to one taken in another case', () => updateRecord(core, root, 'members', id(2, 'm'), { email: 'Ann@Example.Com' }, {}));
  await step('member password too short', () => createRecord(core, guest, 'members', { email: 'c@example.com', password: 'x', passwordConfirm: 'x' }, {}));
  await step('list members as guest', () => listRecords(core, guest, 'members', { sort: 'email' }));
  await step('list members as root', () => listRecords(core, root, 'members', { filter: 'email ~ "EXAMPLE"', sort: '-email' }));
  await step('member update refused for a guest', () => updateRecord(core, guest, 'members', id(1, 'm'), { nick: 'x' }, {}));
  await step('member delete refused (null rule)', () => deleteRecord(core, guest, 'members', id(1, 'm')));

  // the batch route's service: sub-requests in one transaction, the first failure undoing the rest
  await step('batch route that fails', () =>
    runBatch(core, root, [
      batchCall('POST', '/api/collections/posts/records', { id: id(40, 'p'), title: 'via batch', slug: 'via-batch' }),
      batchCall('PATCH', `/api/collections/posts/records/${id(1, 'p')}`, { views: 42 }),
      batchCall('DELETE', `/api/collections/posts/records/${id(4, 'p')}`),
      batchCall('POST', '/api/collections/posts/records', { id: id(41, 'p'), title: 'dup', slug: 'via-batch' }),
    ], { timeoutMs: 10_000 }),
  );
  await step('batch route that commits', () =>
    runBatch(core, root, [
      batchCall('PUT', '/api/collections/posts/records', { id: id(42, 'p'), title: 'upserted', slug: 'upserted', views: 8, published: true }),
      batchCall('PUT', '/api/collections/posts/records', { id: id(42, 'p'), title: 'upserted again' }),
      batchCall('PATCH', `/api/collections/posts/records/${id(2, 'p')}?fields=id,views`, { 'views+': 5 }),
    ], { timeoutMs: 10_000 }),
  );
  // the streamed export pages by rowid (dialect.rowid), its sort with NULLs and ties as the list's
  await step('export csv', () => exportText(core, root, { format: 'csv', filter: '', sort: '-author.name,slug', columns: 'id,title,views,tags,meta' }));
  await step('export json as guest', () => exportText(core, guest, { format: 'json', filter: 'views < 100', sort: 'meta.n', columns: '' }));

  await step('delete a post', () => deleteRecord(core, guest, 'posts', id(6, 'p')));
  await step('delete an author: its posts cascade', () => deleteRecord(core, root, 'authors', id(2, 'a')));
  await step('delete missing', () => deleteRecord(core, root, 'posts', id(99, 'p')));
  await step('list after', () => listRecords(core, root, 'posts', { sort: '@rowid' }));
  await step('list after, by views', () => listRecords(core, root, 'posts', { sort: 'views,-title' }));
  return steps;
}

describePostgres('records on PostgreSQL: the same answers as on SQLite', () => {
  const { lite, pg, dir } = usePairedDatabases('records', COLLECTIONS);

  it('list, view, create, update, delete and batches answer the same', async () => {
    const onSqlite = await runScenario(makeEngine(lite(), loadSchema(COLLECTIONS), join(dir(), 'a')));
    const onPostgres = await runScenario(makeEngine(pg(), loadSchema(COLLECTIONS), join(dir(), 'b')));
    // the scenario means something: writes succeeded, refusals refused, events fired
    expect(onSqlite.filter((s) => 'error' in s.out).length).toBeGreaterThan(8);
    expect(onSqlite.filter((s) => 'ok' in s.out).length).toBeGreaterThan(30);
    const at = (name: string) => onSqlite.find((s) => s.step === name)!;
    expect(at('duplicate slug').out).toMatchObject({ error: { issues: { slug: { code: 'validation_not_unique' } } } });
    expect(at('list authors by a back-relation (costly)').out).toMatchObject({ ok: { totalItems: 2 } });
    expect(at('list authors over the hop budget').out).toMatchObject({ error: { message: expect.stringContaining('too many multi-valued relation hops') } });
    expect(at('sign in by email in another case').out).toEqual({ ok: { id: id(1, 'm'), email: 'ann@example.com' } });
    expect(at('sign in by email, wrong password').out).toMatchObject({ error: { message: 'Failed to authenticate.' } });
    expect(at('find member by email in another case').out).toEqual({ ok: id(2, 'm') });
    expect(at('member email changed to one taken in another case').out).toMatchObject({ error: { issues: { email: { code: 'validation_not_unique' } } } });
    expect(at('batch route that fails')).toMatchObject({ out: { error: { batchIndex: 3 } }, events: [] });
    expect(at('batch route that commits').events).toHaveLength(3);
    expect(String((at('export csv').out as { ok: string }).ok).split('\n').length).toBeGreaterThan(8);
    for (let i = 0; i < onSqlite.length; i++) expect({ step: onPostgres[i]!.step, ...onPostgres[i] }).toEqual({ step: onSqlite[i]!.step, ...onSqlite[i] });
    expect(onPostgres.length).toBe(onSqlite.length);
  }, 60_000);

  it("a lookup by email is the form the email index serves (lower(email) on PostgreSQL, COLLATE NOCASE on SQLite)", async () => {
    const members = loadSchema(COLLECTIONS).findCollection('members')!;
    const lookup = (db: Database) => db.read.selectFrom('members').select('id').where(buildIdentityMatch(members, 'email', 'Ann@Example.com', db.dialect)).compile();
    const onSqlite = await lite().read.executeQuery(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${lookup(lite()).sql}`, [...lookup(lite()).parameters]));
    expect(JSON.stringify(onSqlite.rows)).toMatch(/USING INDEX idx_email_/);
    const plan = await pg().read.transaction().execute(async (trx) => {
      // a table this small would be scanned anyway: refuse scans to see whether the index can serve the lookup
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      return trx.executeQuery(CompiledQuery.raw(`EXPLAIN ${lookup(pg()).sql}`, [...lookup(pg()).parameters]));
    });
    expect(JSON.stringify(plan.rows)).toMatch(/Index Scan using idx_email_/);
  });

  it("an export's page read by _rowid_ and an @rowid sort are served by the unique index on _rowid_; a sort by an indexed column by its index", async () => {
    // the queries the record services really run on PostgreSQL, captured on their way to it
    const seen: RootOperationNode[] = [];
    const capture: KyselyPlugin = { transformQuery: (args) => (seen.push(args.node), args.node), transformResult: async (args) => args.result };
    const captured = pg().read.withPlugin(capture);
    const db = Object.create(pg(), { read: { get: () => captured } }) as Database;
    const { core, root } = makeEngine(db, loadSchema(COLLECTIONS), join(dir(), 'c'));
    const compiled = () => seen.splice(0).map((node) => pg().read.getExecutor().compileQuery(node, { queryId: 'explain' }));
    const explain = (q: CompiledQuery) =>
      pg().read.transaction().execute(async (trx) => {
        // a table this small would be scanned anyway: refuse scans to see whether the index can serve the query
        await sql`SET LOCAL enable_seqscan = off`.execute(trx);
        return JSON.stringify((await trx.executeQuery(CompiledQuery.raw(`EXPLAIN ${q.sql}`, [...q.parameters]))).rows);
      });

    expect(await exportText(core, root, { format: 'json', filter: '', sort: 'slug', columns: 'id' })).toMatch(/"id":/);
    const page = compiled().find((q) => q.sql.includes('__export_rowid'));
    expect(page?.sql).toMatch(/where "posts"\."_rowid_" in \(\$1/);
    expect(await explain(page!)).toMatch(/Index Scan (using|on) posts__rowid__key/);

    await listRecords(core, root, 'posts', { sort: '@rowid' });
    const list = compiled().find((q) => /order by "posts"\."_rowid_"/.test(q.sql) && / limit /.test(q.sql));
    expect(await explain(list!)).toMatch(/Index Scan using posts__rowid__key/);

    // SQLite's NULL order (smallest) both ways: the translated index is NULLS FIRST, so it serves ASC NULLS FIRST
    // forwards and DESC NULLS LAST backwards; only the _rowid_ tie is left to an incremental sort, never a full one
    for (const sort of ['slug', '-slug']) {
      await listRecords(core, root, 'posts', { sort });
      const bySlug = compiled().find((q) => /order by "posts"\."slug"/.test(q.sql) && / limit /.test(q.sql));
      const plan = await explain(bySlug!);
      expect(plan, sort).toMatch(/Index Scan (Backward )?using idx_posts_slug/);
      expect(plan, sort).not.toMatch(/"(->  )?Sort /);
    }
  });
});
