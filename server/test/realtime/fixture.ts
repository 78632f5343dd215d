/** The schema and people the realtime tests run on: users (auth), posts (owner-or-published), comments. */
import { signUp, startTestGalley, superuserToken, type TestGalley } from '../helpers/test-galley.ts';

export const OWNED = "status = 'published' || author = @request.auth.id";

export function realtimeSchema(postRules: { listRule?: string | null; viewRule?: string | null } = {}): unknown {
  return {
    collections: [
      {
        id: 'pbc_users00001',
        name: 'users',
        type: 'auth',
        listRule: 'id = @request.auth.id',
        viewRule: '',
        createRule: '',
        updateRule: 'id = @request.auth.id',
        deleteRule: null,
        fields: [
          { name: 'name', type: 'text' },
          { name: 'secret', type: 'text', hidden: true },
        ],
      },
      {
        id: 'pbc_posts00001',
        name: 'posts',
        listRule: postRules.listRule === undefined ? OWNED : postRules.listRule,
        viewRule: postRules.viewRule === undefined ? OWNED : postRules.viewRule,
        createRule: "@request.auth.id != ''",
        updateRule: 'author = @request.auth.id',
        deleteRule: 'author = @request.auth.id',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'status', type: 'select', values: ['draft', 'published'], maxSelect: 1 },
          { name: 'author', type: 'relation', collectionId: 'pbc_users00001', maxSelect: 1 },
          { name: 'note', type: 'text', hidden: true },
        ],
      },
      {
        id: 'pbc_comments01',
        name: 'comments',
        listRule: "post.status = 'published'",
        viewRule: "post.status = 'published'",
        createRule: null,
        updateRule: null,
        deleteRule: null,
        fields: [
          { name: 'post', type: 'relation', collectionId: 'pbc_posts00001', maxSelect: 1, cascadeDelete: true },
          { name: 'body', type: 'text' },
        ],
      },
    ],
  };
}

export interface Person {
  id: string;
  token: string;
}

export interface RealtimeWorld {
  t: TestGalley;
  root: string;
  alice: Person;
  bob: Person;
  /** create a record as a superuser; returns its JSON */
  create(collection: string, body: Record<string, unknown>): Promise<any>;
  update(collection: string, id: string, body: Record<string, unknown>): Promise<any>;
  remove(collection: string, id: string): Promise<void>;
}

export async function startRealtimeWorld(schema: unknown = realtimeSchema()): Promise<RealtimeWorld> {
  const t = await startTestGalley(schema);
  const root = await superuserToken(t);
  const alice = await signUp(t, 'users', { email: 'alice@example.com', name: 'Alice', secret: 's-alice' });
  const bob = await signUp(t, 'users', { email: 'bob@example.com', name: 'Bob', secret: 's-bob' });
  const expectOk = (what: string, res: { status: number; text: string }, status = 200) => {
    if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text}`);
  };
  return {
    t,
    root,
    alice,
    bob,
    async create(collection, body) {
      const res = await t.call('POST', `/api/collections/${collection}/records`, { body, auth: root });
      expectOk(`create ${collection}`, res);
      return res.json;
    },
    async update(collection, id, body) {
      const res = await t.call('PATCH', `/api/collections/${collection}/records/${id}`, { body, auth: root });
      expectOk(`update ${collection}/${id}`, res);
      return res.json;
    },
    async remove(collection, id) {
      const res = await t.call('DELETE', `/api/collections/${collection}/records/${id}`, { auth: root });
      expectOk(`delete ${collection}/${id}`, res, 204);
    },
  };
}

/** The SDK's way of putting options on a topic. */
export function withOptions(topic: string, options: { query?: Record<string, unknown>; headers?: Record<string, string> }): string {
  return `${topic}?options=${encodeURIComponent(JSON.stringify(options))}`;
}
