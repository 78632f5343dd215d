/**
 * A batch of the differential test as a running Galley: the fixed schema with the batch's rules, the
 * batch's rows written through the API (as a superuser, with our own ids), and a token per requester (impersonated).
 */
import { renderRule } from './expr.ts';
import type { Requester, RuleSet, UserRow, World } from './reference.ts';
import { GHOST_ID, ROLE_VALUES, TAG_VALUES } from './generators.ts';
import { startTestGalley, superuserToken, type TestGalley } from '../helpers/test-galley.ts';

const NO_WRITES = { createRule: null, updateRule: null, deleteRule: null };

/** The schema file the test runs on: users (auth), teams, docs; ids and system fields left implicit. */
export function buildSchemaFile(rules: RuleSet): unknown {
  const ruleKeys = (name: keyof RuleSet) => ({
    listRule: renderRule(rules[name].listRule),
    viewRule: renderRule(rules[name].viewRule),
    ...NO_WRITES,
  });
  return {
    collections: [
      {
        name: 'users',
        type: 'auth',
        ...ruleKeys('users'),
        fields: [
          { name: 'name', type: 'text' },
          { name: 'role', type: 'select', values: ROLE_VALUES, maxSelect: 1 },
          { name: 'age', type: 'number' },
        ],
      },
      {
        name: 'teams',
        ...ruleKeys('teams'),
        fields: [
          { name: 'name', type: 'text' },
          { name: 'public', type: 'bool' },
        ],
      },
      {
        name: 'docs',
        ...ruleKeys('docs'),
        fields: [
          { name: 'title', type: 'text' },
          { name: 'score', type: 'number' },
          { name: 'published', type: 'bool' },
          { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1 },
          { name: 'team', type: 'relation', collectionId: 'teams', maxSelect: 1 },
          { name: 'readers', type: 'relation', collectionId: 'users', maxSelect: 5 },
          { name: 'tags', type: 'select', values: TAG_VALUES, maxSelect: 4 },
          { name: 'note', type: 'text' },
        ],
      },
    ],
  };
}

export interface BatchGalley {
  t: TestGalley;
  tokenOf(r: Requester): string | null;
  close(): Promise<void>;
}

async function post(t: TestGalley, auth: string, collection: string, body: Record<string, unknown>): Promise<void> {
  const res = await t.call('POST', `/api/collections/${collection}/records`, { body, auth });
  if (res.status !== 200) throw new Error(`seeding ${collection} ${String(body['id'])} failed: ${res.status} ${res.text}`);
}

const PASSWORD = 'password123';

/**
 * Create the user as a superuser (rules are not under test here), then take a token for it through the superuser's
 * impersonate route: the same auth record in the rules as a login's token, without a login's argon2 check (the
 * batches' Galley starts were most of this file's time, and the password checks most of those).
 */
async function signUpAsSuperuser(t: TestGalley, root: string, u: UserRow): Promise<string> {
  const email = `${u.id}@example.com`;
  await post(t, root, 'users', { ...u, email, password: PASSWORD, passwordConfirm: PASSWORD });
  const res = await t.call('POST', `/api/collections/users/impersonate/${u.id}`, { body: {}, auth: root });
  if (res.status !== 200) throw new Error(`token of ${u.id} failed: ${res.status} ${res.text}`);
  return res.json.token;
}

/** Start a Galley for the batch and write its rows; fails loudly if what is stored differs from the rows. */
export async function startBatchGalley(world: World, rules: RuleSet): Promise<BatchGalley> {
  const t = await startTestGalley(buildSchemaFile(rules));
  try {
    const root = await superuserToken(t);
    const userTokens = new Map<string, string>();
    await Promise.all(
      world.users.map(async (u) => {
        userTokens.set(u.id, await signUpAsSuperuser(t, root, u));
      }),
    );
    await Promise.all(world.teams.map((team) => post(t, root, 'teams', { ...team })));
    const ghost: UserRow = { id: GHOST_ID, name: 'ghost', role: 'admin', age: 99, emailVisibility: true };
    const haunted = world.docs.some((d) => d.owner === GHOST_ID || d.readers.includes(GHOST_ID));
    if (haunted) await signUpAsSuperuser(t, root, ghost);
    await Promise.all(world.docs.map((d) => post(t, root, 'docs', { ...d })));
    // a raw delete skips the API's clean-up of references, leaving dangling ids (a missing target is NULL)
    if (haunted) await t.galley.core.db.writer.run((tx) => tx.db.deleteFrom('users').where('id', '=', GHOST_ID).execute());
    await checkStoredDocs(t, root, world);
    return {
      t,
      tokenOf: (r) => (r.kind === 'guest' ? null : r.kind === 'superuser' ? root : userTokens.get(r.id)!),
      close: () => t.close(),
    };
  } catch (err) {
    await t.close();
    throw err;
  }
}

/** The rows as the API returns them must be the rows the reference evaluates. */
async function checkStoredDocs(t: TestGalley, root: string, world: World): Promise<void> {
  const res = await t.call('GET', '/api/collections/docs/records?perPage=1000', { auth: root });
  if (res.status !== 200) throw new Error(`listing seeded docs failed: ${res.status} ${res.text}`);
  const byId = new Map<string, Record<string, unknown>>(res.json.items.map((i: Record<string, unknown>) => [i['id'], i]));
  for (const d of world.docs) {
    const got = byId.get(d.id);
    const want = JSON.stringify(d);
    const have = got && JSON.stringify(Object.fromEntries(Object.keys(d).map((k) => [k, got[k]])));
    if (want !== have) throw new Error(`seeded doc differs from the API's copy:\n want ${want}\n have ${have}`);
  }
}
