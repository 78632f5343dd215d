// A Galley for the batch tests: authors ← posts (relation), tagged notes, an auth collection; direct reads
// through a separate SQLite connection (what a second process would see: committed data only).
import { join } from 'node:path';
import { CompiledQuery } from 'kysely';
import { openSqliteHandle, type SqliteHandle } from '../../src/db/driver.ts';
import type { RecordEvent } from '../../src/hooks/event-bus.ts';
import { startAuthGalley, type AuthTestGalley } from '../auth/harness.ts';
import type { GalleyOptions } from '../../src/index.ts';

export const BATCH_SCHEMA = [
  {
    name: 'users',
    type: 'auth',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: 'id = @request.auth.id',
    deleteRule: 'id = @request.auth.id',
    fields: [{ name: 'name', type: 'text' }],
  },
  {
    name: 'authors',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [{ name: 'name', type: 'text', required: true }],
  },
  {
    name: 'posts',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: "title != 'forbidden'",
    updateRule: "@request.body.title:isset = false || @request.body.title != 'forbidden'",
    deleteRule: '',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'author', type: 'relation', collectionId: 'authors', maxSelect: 1 },
      { name: 'views', type: 'number' },
    ],
  },
  {
    name: 'notes',
    type: 'base',
    listRule: '',
    viewRule: '',
    // sub-request headers, context and the caller's auth are what these rules judge
    createRule: "@request.context = 'batch' && @request.headers.x_tag = 'ok'",
    updateRule: '@request.auth.id != ""',
    deleteRule: '',
    fields: [{ name: 'text', type: 'text' }],
  },
  {
    name: 'locked',
    type: 'base',
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [{ name: 'text', type: 'text' }],
  },
];

export interface BatchGalley extends AuthTestGalley {
  /** committed rows, read through a connection of its own (on PostgreSQL: a pool connection, outside any write job) */
  rows(table: string, where?: string): Promise<Record<string, unknown>[]>;
  events: RecordEvent[];
  /** each event with what a separate connection saw when it arrived (the read starts in the event's callback) */
  seenAtEvent: Array<{ event: RecordEvent; committedPosts: Promise<number> }>;
  batch(requests: unknown[], opts?: { auth?: string; headers?: Record<string, string> }): ReturnType<AuthTestGalley['call']>;
}

export async function startBatchGalley(options: GalleyOptions = {}): Promise<BatchGalley> {
  const t = await startAuthGalley(BATCH_SCHEMA, options);
  let direct: SqliteHandle | undefined;
  const handle = () => (direct ??= openSqliteHandle(join(t.dir, 'data.db')));
  const rows = async (table: string, where = '1=1'): Promise<Record<string, unknown>[]> => {
    const statement = `SELECT * FROM "${table}" WHERE ${where} ORDER BY id`;
    if (!t.database) return handle().prepare(statement).all() as Record<string, unknown>[];
    return (await t.galley.core.db.read.executeQuery(CompiledQuery.raw(statement))).rows as Record<string, unknown>[];
  };
  const events: RecordEvent[] = [];
  const seenAtEvent: BatchGalley['seenAtEvent'] = [];
  t.galley.core.hooks.onRecord((event) => {
    events.push(event);
    seenAtEvent.push({ event, committedPosts: rows('posts').then((r) => r.length) });
  });
  return {
    ...t,
    rows,
    events,
    seenAtEvent,
    batch: (requests, opts = {}) => t.call('POST', '/api/batch', { body: { requests }, auth: opts.auth, headers: opts.headers }),
    async close() {
      direct?.close();
      await t.close();
    },
  };
}
