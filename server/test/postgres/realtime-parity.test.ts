// Realtime's rule check (realtime/access-check.ts) on SQLite and on PostgreSQL: the same subscribers (guests,
// members with different levels, a superuser; list and view topics; option filters) see the same messages for
// the same creates, updates and deletes. Several groups are checked in one UNION ALL statement (PostgreSQL
// numbers its parameters across the branches), and a deleted record is judged from its values (typed as its
// columns on PostgreSQL: a number rule over text would compare as text, a bool one would raise).
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Core } from '../../src/core.ts';
import type { Database } from '../../src/db/database.ts';
import { bindAuth, setClientBinding } from '../../src/realtime/auth-binding.ts';
import { createRealtimeBroker, registerClient, replaceSubscriptions, whenRealtimeIdle } from '../../src/realtime/broker.ts';
import type { Broker, RealtimeClient } from '../../src/realtime/model.ts';
import { createRecord } from '../../src/records/create.ts';
import { deleteRecord } from '../../src/records/delete.ts';
import { updateRecord } from '../../src/records/update.ts';
import { superuserRequest, type AuthInfo } from '../../src/rules/request-info.ts';
import { loadSchema } from '../../src/schema/load.ts';
import type { Schema } from '../../src/schema/model.ts';
import { parityCore, usePairedDatabases } from '../helpers/paired-databases.ts';
import { describePostgres } from '../helpers/postgres.ts';

const COLLECTIONS = [
  {
    name: 'members',
    type: 'auth',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: null,
    deleteRule: null,
    fields: [
      { name: 'level', type: 'number' },
      { name: 'trusted', type: 'bool' },
    ],
  },
  {
    name: 'posts',
    listRule: 'published = true || author = @request.auth.id',
    viewRule: '(views > 9 && published = true) || (@request.auth.level >= 2 && @request.auth.trusted = true)',
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'views', type: 'number' },
      { name: 'published', type: 'bool' },
      { name: 'author', type: 'relation', collectionId: 'members', maxSelect: 1 },
      { name: 'meta', type: 'json' },
    ],
  },
  {
    // a rule that reads nothing from the request: one check for every subscriber
    name: 'notes',
    listRule: 'score > 9 && done = false',
    viewRule: 'score > 9',
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [
      { name: 'body', type: 'text' },
      { name: 'score', type: 'number' },
      { name: 'done', type: 'bool' },
    ],
  },
];

const id = (n: number, prefix: string) => `${prefix}${String(n).padStart(15 - prefix.length, '0')}`;
const withFilter = (base: string, filter: string) => `${base}?options=${encodeURIComponent(JSON.stringify({ query: { filter } }))}`;

/** A stream as the dispatcher sees it: what it is sent, as text. */
function collectingClient(name: string, got: string[]): RealtimeClient {
  const decoder = new TextDecoder();
  const now = Date.now();
  return {
    id: name,
    ip: '',
    openedAt: now,
    lastSentAt: now,
    binding: null,
    subscriptions: new Map(),
    closed: false,
    queued: false,
    send(events) {
      for (const e of events) got.push(decoder.decode(e));
      return true;
    },
    push(event) {
      got.push(decoder.decode(event));
      return true;
    },
    deliver: () => 0,
    close() {
      this.closed = true;
    },
  };
}

interface Engine {
  core: Core;
  broker: Broker & { stop(): Promise<void> };
}

function makeEngine(db: Database, schema: Schema, dir: string): Engine {
  const core = parityCore(db, schema, dir) as Core & { realtime: Broker };
  const broker = createRealtimeBroker(core);
  core.realtime = broker;
  return { core, broker };
}

/** Every subscriber's messages, by name, after the scenario's writes. */
async function runScenario(e: Engine): Promise<Record<string, string[]>> {
  const { core, broker } = e;
  const root = superuserRequest(core.schema.findCollection('_superusers')!);
  const members = core.schema.findCollection('members')!;
  const member = async (n: number, level: number, trusted: boolean): Promise<AuthInfo> => {
    await createRecord(core, root, 'members', { id: id(n, 'm'), email: `m${n}@example.com`, password: 'secret-pass-1', passwordConfirm: 'secret-pass-1', level, trusted }, {});
    const record = await core.db.read.selectFrom('members').selectAll().where('id', '=', id(n, 'm')).executeTakeFirstOrThrow();
    return { collection: members, record };
  };
  const ann = await member(1, 1, true);
  const bob = await member(2, 3, true);
  const superuser: AuthInfo = { collection: core.schema.findCollection('_superusers')!, record: { id: 'su0000000000001', tokenKey: 'k' } };

  const received: Record<string, string[]> = {};
  const subscribe = (name: string, auth: AuthInfo | null, topics: string[]) => {
    const client = collectingClient(name, (received[name] = []));
    registerClient(broker, client);
    setClientBinding(broker, client, bindAuth(core, broker, auth));
    replaceSubscriptions(broker, client, topics);
  };
  subscribe('guest', null, ['posts/*', 'notes/*', `notes/${id(2, 'n')}`]);
  subscribe('guest filtered', null, [withFilter('posts/*', 'meta.n > 1'), withFilter('notes/*', 'score >= 20')]);
  subscribe('ann', ann, ['posts/*', `posts/${id(1, 'p')}`, 'notes/*']);
  subscribe('ann filtered', ann, [withFilter('posts/*', 'views > 5 && published = false')]);
  subscribe('bob', bob, ['posts/*', `posts/${id(1, 'p')}`, `posts/${id(3, 'p')}`]);
  subscribe('bob filtered', bob, [withFilter('posts/*', 'views >= 2.5 && meta.n != 5 && title ~ "o"')]);
  // a client's filter may not read @request (wire: 403 for a list, no events here)
  subscribe('bob refused', bob, [withFilter('posts/*', '@request.auth.trusted = true')]);
  subscribe('superuser', superuser, ['posts/*', 'notes/*']);

  const write = async (run: () => Promise<unknown>) => {
    await run();
    await whenRealtimeIdle(core);
  };
  const posts: Array<Record<string, unknown>> = [
    { title: 'one', views: 10, published: true, author: id(2, 'm'), meta: { n: 5 } },
    { title: 'two', views: 7, published: false, author: id(1, 'm'), meta: { n: 0 } },
    { title: 'three', views: 100, published: false, author: id(1, 'm'), meta: null },
    { title: 'four', views: 2.5, published: true, author: '', meta: { n: 12 } },
  ];
  for (const [i, p] of posts.entries()) await write(() => createRecord(core, root, 'posts', { id: id(i + 1, 'p'), ...p }, {}));
  for (const [n, score, done] of [[1, 5, false], [2, 10, false], [3, 25, true], [4, 30, false]] as const) {
    await write(() => createRecord(core, root, 'notes', { id: id(n, 'n'), body: `note ${n}`, score, done }, {}));
  }
  await write(() => updateRecord(core, root, 'posts', id(1, 'p'), { views: 9 }, {}));
  await write(() => updateRecord(core, root, 'posts', id(2, 'p'), { published: true, views: 50 }, {}));
  await write(() => updateRecord(core, root, 'notes', id(2, 'n'), { done: true }, {}));
  // ann's own record changes: her subscriptions are judged with the new level from here on
  await write(() => updateRecord(core, root, 'members', id(1, 'm'), { level: 2 }, {}));
  await write(() => updateRecord(core, root, 'posts', id(3, 'p'), { title: 'three!' }, {}));
  // deletes: the rows are gone, so their values are judged (numbers, bools and JSON typed as their columns)
  for (const p of [1, 2, 3, 4]) await write(() => deleteRecord(core, root, 'posts', id(p, 'p')));
  for (const n of [1, 2, 3, 4]) await write(() => deleteRecord(core, root, 'notes', id(n, 'n')));
  return received;
}

/** A message as `<topic> <action> <record id>`. */
function summarize(message: string): string {
  const [, topic, data] = /^event:(.*)\ndata:(.*)\n/.exec(message)!;
  const { action, record } = JSON.parse(data!) as { action: string; record: { id: string } };
  return `${topic!.split('?')[0]} ${action} ${record.id}`;
}

describePostgres('realtime on PostgreSQL: the same messages as on SQLite', () => {
  const { lite, pg, dir } = usePairedDatabases('realtime', COLLECTIONS);
  const engines: Engine[] = [];

  afterAll(async () => {
    for (const e of engines) await e.broker.stop();
  });

  it('subscribers with different auth, rules and filters get the same events', async () => {
    const sqliteEngine = makeEngine(lite(), loadSchema(COLLECTIONS), join(dir(), 'a'));
    const postgresEngine = makeEngine(pg(), loadSchema(COLLECTIONS), join(dir(), 'b'));
    engines.push(sqliteEngine, postgresEngine);
    const onSqlite = await runScenario(sqliteEngine);
    const onPostgres = await runScenario(postgresEngine);
    const seen = (name: string) => onSqlite[name]!.map(summarize);
    // the scenario means something on SQLite: rules over numbers and bools, deletes judged from their values, auth changes
    expect(seen('guest')).toContain(`notes/* delete ${id(4, 'n')}`);
    expect(seen('guest')).not.toContain(`notes/* delete ${id(3, 'n')}`);
    expect(seen('ann')).toContain(`posts/${id(1, 'p')} delete ${id(1, 'p')}`);
    expect(seen('ann')).not.toContain(`posts/${id(1, 'p')} update ${id(1, 'p')}`);
    expect(seen('bob filtered')).toEqual([`posts/* create ${id(4, 'p')}`, `posts/* update ${id(2, 'p')}`, `posts/* delete ${id(2, 'p')}`, `posts/* delete ${id(4, 'p')}`]);
    expect(seen('bob refused')).toEqual([]);
    expect(seen('superuser')).toHaveLength(20);
    expect(onPostgres).toEqual(onSqlite);
  }, 60_000);
});
