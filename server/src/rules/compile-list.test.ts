import { sql, type Expression, type SqlBool } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../db/open.ts';
import { compileSqlOnly, useSeededDatabase } from '../db/testing.ts';
import { GalleyError } from '../errors.ts';
import { buildSchema, type CollectionModel, type FieldModel } from '../schema/model.ts';
import { compileFilterWhere } from './compile-filter.ts';
import { compileListClauses, compileListWhere } from './compile-list.ts';
import type { FilterScope } from './filter-scope.ts';
import { guestRequest, superuserRequest, type RequestInfo } from './request-info.ts';

const field = (name: string, type: string, opts: Record<string, unknown> = {}): FieldModel => ({
  id: `${type}_${name}`,
  name,
  type,
  system: false,
  hidden: false,
  presentable: false,
  ...opts,
});
const rel = (name: string, collectionId: string, maxSelect: number) =>
  field(name, 'relation', { collectionId, maxSelect, minSelect: 0, cascadeDelete: false });
const collection = (name: string, fields: FieldModel[], extra: Partial<CollectionModel>): CollectionModel => ({
  id: `c_${name}`,
  name,
  type: 'base',
  system: false,
  listRule: '',
  viewRule: '',
  createRule: '',
  updateRule: '',
  deleteRule: '',
  fields: [field('id', 'text', { primaryKey: true }), ...fields],
  indexes: [],
  ...extra,
});

const LIST_RULE = 'readers.id ?= @request.auth.id || published = true';
const users = collection(
  'users',
  [field('email', 'email'), field('emailVisibility', 'bool'), field('age', 'number'), field('secret', 'text', { hidden: true })],
  { type: 'auth', listRule: 'age > 25' },
);
const superusers = collection('_superusers', [field('email', 'email')], { type: 'auth', listRule: null });
const vaults = collection('vaults', [field('code', 'text')], { listRule: null });
const docs = collection(
  'docs',
  [field('title', 'text'), field('published', 'bool'), rel('owner', 'c_users', 1), rel('readers', 'c_users', 5), rel('vault', 'c_vaults', 1)],
  { listRule: LIST_RULE },
);
const schema = buildSchema([users, superusers, vaults, docs]);

const TABLES: Record<string, string> = {
  users: 'id TEXT PRIMARY KEY, email TEXT, emailVisibility INTEGER, age NUMERIC, secret TEXT',
  vaults: 'id TEXT PRIMARY KEY, code TEXT',
  docs: 'id TEXT PRIMARY KEY, title TEXT, published INTEGER, owner TEXT, readers TEXT, vault TEXT',
};
const ROWS: Record<string, Record<string, unknown>[]> = {
  users: [
    { id: 'ann', email: 'ann@x.io', emailVisibility: 1, age: 40, secret: 's1' },
    { id: 'bob', email: 'bob@x.io', emailVisibility: 0, age: 20, secret: 's2' },
    { id: 'cy', email: 'cy@x.io', emailVisibility: 0, age: 35, secret: 's3' },
  ],
  vaults: [{ id: 'v1', code: 'k' }],
  docs: [
    { id: 'd1', title: 'Alpha', published: 0, owner: 'ann', readers: '["ann","bob"]', vault: 'v1' },
    { id: 'd2', title: 'Beta', published: 1, owner: 'bob', readers: '[]', vault: '' },
    { id: 'd3', title: 'Gamma', published: 1, owner: 'cy', readers: '["cy"]', vault: '' },
    { id: 'd4', title: 'Delta', published: 0, owner: 'bob', readers: '["bob","cy"]', vault: '' },
  ],
};

const userRequest = (id: string): RequestInfo => ({ ...guestRequest(), auth: { collection: users, record: ROWS.users!.find((u) => u['id'] === id)! } });
const bob = userRequest('bob');
const guest = guestRequest();
const root = superuserRequest(superusers);
const scope = (info: RequestInfo, coll: CollectionModel = docs): FilterScope => ({ schema, collection: coll, info, alias: coll.name });

let db: OpenedDatabase;
useSeededDatabase(TABLES, ROWS, (opened) => (db = opened));
const sqlOf = compileSqlOnly;

/** The docs a list returns, in the clauses' order (then id). */
async function listIds(info: RequestInfo, filter: string, sort = '', rule: string | null = LIST_RULE): Promise<string[]> {
  const { where, order } = compileListClauses(scope(info), rule, filter, sort);
  let q = db.read.selectFrom('docs').select('docs.id');
  if (where) q = q.where(where);
  for (const o of order) q = q.orderBy(o.expr as never, o.direction);
  return (await q.orderBy('docs.id').execute()).map((r) => String(r.id));
}
const idsWhere = async (where: Expression<SqlBool>) =>
  (await db.read.selectFrom('docs').select('docs.id').where(where).orderBy('docs.id').execute()).map((r) => String(r.id));

function errorOf(fn: () => unknown): GalleyError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GalleyError) return err;
    throw err;
  }
  throw new Error('no error');
}

// the joins of `readers.*`, and the users listRule (`age > 25`) guarding them, as the filter needs it
const EACH = `json_each((CASE WHEN iif(json_valid("docs"."readers"), json_type("docs"."readers") = 'array', FALSE) THEN "docs"."readers" ELSE json_array("docs"."readers") END))`;
const READERS = `LEFT JOIN ${EACH} AS "docs.readers[]" ON TRUE LEFT JOIN "users" AS "docs.readers" ON "docs.readers"."id" = "docs.readers[]"."value"`;
const GUARD = `(("docs.readers"."id" = '' OR "docs.readers"."id" IS NULL) OR "docs.readers"."age" > ?)`;
const RULE = `("docs.readers"."id" = ? OR "docs"."published" = 1)`;

describe('compileListWhere: listRule and client filter in one join scope', () => {
  it('compiles both into ONE EXISTS with the guard of the joins the filter uses (exact SQL)', () => {
    const out = sqlOf(compileListWhere(scope(bob), LIST_RULE, 'readers.age ?> 30')!);
    expect(out.sql).toBe(`EXISTS (SELECT 1 FROM (SELECT 1) AS "__root" ${READERS} WHERE ${RULE} AND "docs.readers"."age" > ? AND ${GUARD})`);
    expect(out.parameters).toEqual(['bob', 30, 25]);
  });

  it('matches only records where one joined row meets rule AND filter (wire: one LEFT JOIN alias)', async () => {
    // d1: bob reads it (rule) and Ann is over 30 (filter), but no single reader is both
    expect(await listIds(bob, 'readers.age ?> 30')).toEqual(['d3']);
    // separate scopes (the old behaviour) let the rule and the filter pick different readers
    const rule = compileFilterWhere(scope(bob), LIST_RULE, 'rule');
    const filter = compileFilterWhere(scope(bob), 'readers.age ?> 30', 'client');
    expect(await idsWhere(sql<SqlBool>`(${rule} AND ${filter})`)).toEqual(['d1', 'd3', 'd4']);
  });

  it('checks listRules only on the collections the filter traverses, not the rule', async () => {
    // the rule alone joins readers in rule mode: no users listRule check, so bob (20) still counts
    const ruleOnly = sqlOf(compileListWhere(scope(bob), LIST_RULE, '')!);
    expect(ruleOnly.sql).toBe(`EXISTS (SELECT 1 FROM (SELECT 1) AS "__root" ${READERS} WHERE ${RULE})`);
    expect(await listIds(bob, '')).toEqual(['d1', 'd2', 'd3', 'd4']);
    // the filter traverses readers: a joined row must pass `age > 25`, and bob's rows no longer do
    expect(await listIds(bob, 'title != ""')).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(await listIds(bob, 'readers.id ?!= ""')).toEqual(['d3']);
  });

  it('keeps rule mode for the rule and client mode for the filter', async () => {
    // the rule may read hidden fields and unguarded emails
    expect(await listIds(bob, '', '', 'readers.secret ?= "s2"')).toEqual(['d1', 'd4']);
    expect(await listIds(bob, '', '', 'owner.email = "bob@x.io"')).toEqual(['d2', 'd4']);
    // the filter may not: hidden is unknown (400), a private email never matches
    const hidden = errorOf(() => compileListWhere(scope(bob), LIST_RULE, 'readers.secret ?= "s2"'));
    expect([hidden.kind, hidden.message]).toEqual(['invalid', 'unknown field "readers.secret" at 0']);
    expect(await listIds(bob, 'owner.email = "bob@x.io"', '', '')).toEqual([]);
    expect(await listIds(bob, 'owner.email = "ann@x.io"', '', '')).toEqual(['d1']);
    // @request / @collection: 403 for non-superusers, even inside values; superusers may
    expect(errorOf(() => compileListWhere(scope(bob), LIST_RULE, '@request.auth.id != ""')).kind).toBe('forbidden');
    expect(errorOf(() => compileListClauses(scope(guest), LIST_RULE, '', '@collection.x')).kind).toBe('forbidden');
    expect(await listIds(root, '@request.auth.collectionName = "_superusers" && readers.secret ?= "s3"')).toEqual(['d3', 'd4']);
    // a collection with a null listRule cannot be traversed by a client filter
    expect(errorOf(() => compileListWhere(scope(bob), LIST_RULE, 'vault.code = "k"')).kind).toBe('invalid');
    expect(await listIds(root, 'vault.code = "k"')).toEqual(['d1']);
  });

  it('answers 403 to non-superusers for a null listRule; superusers skip the rule', async () => {
    expect(errorOf(() => compileListWhere(scope(bob), null, '')).message).toBe('Only superusers can perform this action.');
    expect(compileListWhere(scope(root), null, '')).toBeNull();
    expect(await listIds(root, 'readers.age ?> 30', '', null)).toEqual(['d1', 'd3', 'd4']);
    expect(compileListWhere(scope(guest), '', '')).toBeNull();
  });

  it('lets only readers the caller may list decide an all-of comparison (no oracle on hidden values)', async () => {
    // bob (20) is hidden by the users listRule (age > 25): his age must not make `readers.age > 21` fail
    // for d1 and d4 while `> 19` holds; PocketBase's all-of subquery reads him anyway
    expect(await listIds(guest, 'readers.age > 21', '', '')).toEqual(['d1', 'd3', 'd4']);
    expect(await listIds(guest, 'readers.age > 19', '', '')).toEqual(['d1', 'd3', 'd4']);
    // the visible readers still decide it: Ann (40) fails `< 39` in d1, cy (35) passes in d3 and d4
    expect(await listIds(guest, 'readers.age < 39', '', '')).toEqual(['d3', 'd4']);
    // the check sits inside the all-of subquery
    expect(sqlOf(compileListWhere(scope(guest), '', 'readers.age > 21')!).sql).toContain(
      `LEFT JOIN "users" AS "mm:docs.readers" ON "mm:docs.readers"."id" = "mm:docs.readers[]"."value" WHERE (("mm:docs.readers"."id" = '' OR "mm:docs.readers"."id" IS NULL) OR "mm:docs.readers"."age" > ?)) AS "__sm"`,
    );
    // rules and superusers read every reader, as before
    expect(await listIds(root, 'readers.age > 21', '', '')).toEqual(['d3']);
    expect(await listIds(guest, '', '', 'readers.age > 21')).toEqual(['d3']);
  });

  it('keeps conditions on the record alone outside the EXISTS', () => {
    const out = sqlOf(compileListWhere(scope(bob), 'published = true && readers.id ?= @request.auth.id', 'title ~ "a"')!);
    expect(out.sql).toBe(
      `("docs"."published" = 1 AND "docs"."title" LIKE ? ESCAPE '\\' AND EXISTS (SELECT 1 FROM (SELECT 1) AS "__root" ${READERS} WHERE "docs.readers"."id" = ?))`,
    );
    expect(out.parameters).toEqual(['%a%', 'bob']);
  });
});

describe('compileListClauses: the sort shares the join scope', () => {
  it('sorts by the joined value among the rows that match rule and filter', async () => {
    // d1's readers: Ann (40, fails the filter) and bob (20), so d1 sorts as 20 both ways; d4: bob and cy (35)
    expect(await listIds(root, 'readers.age ?< 38', '-readers.age')).toEqual(['d3', 'd4', 'd1']);
    expect(await listIds(root, 'readers.age ?< 38', 'readers.age')).toEqual(['d1', 'd4', 'd3']);
  });

  it('sorts a joined row the caller may not list as NULL instead of removing its record (unlike PocketBase)', async () => {
    // guest, listRule "": d2 and d4 are owned by bob (20), whom the users listRule (age > 25) hides
    expect(await listIds(guest, '', 'owner.age', '')).toEqual(['d2', 'd4', 'd3', 'd1']);
    expect(await listIds(guest, '', '-owner.age', '')).toEqual(['d1', 'd3', 'd2', 'd4']);
    const { where } = compileListClauses(scope(guest), '', '', 'owner.age');
    expect(where).toBeNull();
    // a filter through the same relation still filters (wire)
    expect(await listIds(guest, 'owner.age > 0', 'owner.age', '')).toEqual(['d3', 'd1']);
    // superusers: no check, bob's age sorts
    expect(await listIds(root, '', 'owner.age')).toEqual(['d2', 'd4', 'd3', 'd1']);
    expect(await listIds(root, '', '-owner.age')).toEqual(['d1', 'd3', 'd2', 'd4']);
  });

  it('sorts through a back-relation the same way: related rows the caller may not list are NULL', async () => {
    const usersSorted = async (info: RequestInfo) => {
      const { where, order } = compileListClauses(scope(info, users), '', '', '-docs_via_owner.id');
      expect(where).toBeNull();
      let q = db.read.selectFrom('users').select('users.id');
      for (const o of order) q = q.orderBy(o.expr as never, o.direction);
      return (await q.orderBy('users.id').execute()).map((r) => String(r.id));
    };
    // a guest may list d2 (bob) and d3 (cy) only: bob's hidden d4 and ann's d1 do not count
    expect(await usersSorted(guest)).toEqual(['cy', 'bob', 'ann']);
    expect(await usersSorted(root)).toEqual(['bob', 'cy', 'ann']);
  });

  it('leaves a sort on the record itself a plain column', () => {
    const { order } = compileListClauses(scope(bob), LIST_RULE, 'readers.age ?> 30', '-title');
    expect(sqlOf(order[0]!.expr).sql).toBe('"docs"."title"');
    expect(order[0]!.direction).toBe('desc');
  });
});
