import { describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { MAX_CLIENT_MULTI_HOPS, MAX_STATEMENT_JOINS } from '../query/limits.ts';
import { parseFilter } from '../query/parser.ts';
import { buildSchema, type CollectionModel, type FieldModel } from '../schema/model.ts';
import { makeCollection, makeField } from '../db/migrate/testing.ts';
import { checkQueryCost, isCostlyQuery, measureQueryCost } from './filter-cost.ts';

const field = makeField;
const rel = (name: string, collectionId: string, maxSelect: number) =>
  field(name, 'relation', { collectionId, maxSelect, minSelect: 0, cascadeDelete: false } as Partial<FieldModel>);
/** open rules unless a case says otherwise; ids `c_<name>` so relations name them */
const collection = (name: string, fields: FieldModel[], extra: Partial<CollectionModel> = {}): CollectionModel =>
  makeCollection(name, fields, { id: `c_${name}`, listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '', ...extra });

const users = collection('users', [field('name', 'text'), rel('friends', 'c_users', 10), rel('best', 'c_users', 1), field('meta', 'json')], {
  type: 'auth',
});
const tags = collection('tags', [field('name', 'text')]);
const posts = collection('posts', [field('title', 'text'), rel('author', 'c_users', 1), rel('tags', 'c_tags', 5), field('labels', 'select', { maxSelect: 3, values: ['a', 'b'] })], {
  listRule: 'author.best.name != ""',
});
const comments = collection('comments', [field('text', 'text'), rel('post', 'c_posts', 1)]);
const members = collection('members', [rel('user', 'c_users', 1)], { listRule: 'user.friends.id ?= "x"' });
const wide = collection('wide', [field('name', 'text'), ...Array.from({ length: 10 }, (_, i) => rel(`r${i}`, 'c_wide', 1))]);
const schema = buildSchema([users, tags, posts, comments, members, wide]);

interface Row {
  name: string;
  on: CollectionModel;
  rule?: string;
  filter?: string;
  sort?: string[];
  /** joined collections' listRules checked (a non-superuser) */
  checks?: boolean;
  hops: number;
  joins: number;
  fanOut?: number;
}

const rows: Row[] = [
  { name: 'a plain field costs nothing', on: users, filter: "name = 'x'", hops: 0, joins: 0, fanOut: 1 },
  { name: 'a single relation is one join, no fan-out', on: users, filter: "best.name = 'x'", hops: 0, joins: 1, fanOut: 1 },
  { name: "a single relation's id needs no join", on: users, filter: "best.id = 'x'", hops: 0, joins: 0 },
  { name: 'a relation to many is json_each + table, one hop of maxSelect', on: users, filter: "friends.name ?= 'x'", hops: 1, joins: 2, fanOut: 10 },
  { name: 'paths sharing a prefix share its joins', on: users, filter: "friends.name ?= 'x' && friends.id ?= 'y'", hops: 1, joins: 2, fanOut: 10 },
  { name: 'independent relations to many multiply', on: posts, filter: "tags.name ?= 'x' && author.friends.name ?= 'y'", hops: 2, joins: 5, fanOut: 50 },
  {
    name: 'the issue 18 reproduction: six friends hops',
    on: users,
    filter: "name='x' && friends.name ?~ friends.friends.friends.friends.friends.friends.id",
    hops: 6,
    joins: 12,
    fanOut: 1e6,
  },
  { name: 'an all-of comparison walks its path again', on: users, filter: "friends.friends.name = 'x'", hops: 4, joins: 4, fanOut: 1e4 },
  { name: 'a back-relation without a unique index is unbounded', on: posts, filter: "comments_via_post.text ?~ 'x'", hops: 1, joins: 1, fanOut: 1000 },
  { name: ':each on a multi select is one hop', on: posts, filter: "labels:each ?= 'a'", hops: 1, joins: 1, fanOut: 3 },
  { name: ':length needs no join', on: posts, filter: 'labels:length > 1', hops: 0, joins: 0 },
  { name: 'a JSON path is no relation', on: users, filter: "meta.friends.friends = 'x'", hops: 0, joins: 0 },
  { name: '@collection joins a whole collection', on: posts, filter: "@collection.tags.name ?= title", hops: 1, joins: 1, fanOut: 1000 },
  { name: 'the sort counts with the filter', on: posts, filter: "tags.name ?= 'x'", sort: ['author.friends.name'], hops: 2, joins: 5, fanOut: 50 },
  { name: '@random and @rowid sort without joins', on: posts, sort: ['@random', '@rowid'], hops: 0, joins: 0 },
  { name: "the trusted rule's joins count toward joins only", on: posts, rule: 'tags.name ?= "a"', hops: 0, joins: 2 },
  { name: 'a filter reusing the rule’s joins adds no hop of its own… but is the client’s walk', on: posts, rule: 'tags.name ?= "a"', filter: 'tags.name ?= "b"', hops: 1, joins: 2 },
  { name: "a joined collection's listRule check adds its joins", on: comments, filter: "post.title = 'x'", checks: true, hops: 0, joins: 3 },
  {
    name: "a listRule check's multi-valued hops are the client's",
    on: users,
    filter: "members_via_user.id ?= 'x'",
    checks: true,
    hops: 2,
    joins: 4,
    fanOut: 10_000,
  },
  { name: 'superusers skip listRule checks', on: users, filter: "members_via_user.id ?= 'x'", checks: false, hops: 1, joins: 1 },
];

describe('query cost of a statement', () => {
  it.each(rows)('$name', (row) => {
    const cost = measureQueryCost({
      schema,
      collection: row.on,
      rule: row.rule ?? null,
      filter: row.filter ? parseFilter(row.filter) : null,
      sortKeys: row.sort ?? [],
      enforceListRules: row.checks ?? false,
    });
    expect({ hops: cost.multiHops, joins: cost.joins }).toEqual({ hops: row.hops, joins: row.joins });
    if (row.fanOut !== undefined) expect(cost.fanOut).toBe(row.fanOut);
  });

  it('refuses the issue 18 reproduction with a 400 naming the limit', () => {
    const input = {
      schema,
      collection: users,
      rule: null,
      filter: parseFilter("name='x' && friends.name ?~ friends.friends.friends.friends.friends.friends.id"),
      sortKeys: [],
      enforceListRules: true,
    };
    expect(() => checkQueryCost(input)).toThrowError(
      new GalleyError('invalid', `filter is too complex: too many multi-valued relation hops (6, max ${MAX_CLIENT_MULTI_HOPS})`),
    );
  });

  it('allows the limit itself, and classes fan-outs from 100 up as costly', () => {
    const cost = checkQueryCost({
      schema,
      collection: users,
      rule: null,
      filter: parseFilter("friends.friends.friends.friends.name ?= 'x'"),
      sortKeys: [],
      enforceListRules: false,
    });
    expect(cost.multiHops).toBe(MAX_CLIENT_MULTI_HOPS);
    expect(isCostlyQuery(cost)).toBe(true);
    expect(isCostlyQuery(measureQueryCost({ schema, collection: users, rule: null, filter: parseFilter("friends.name ?= 'x'"), sortKeys: [], enforceListRules: false }))).toBe(false);
  });

  it('refuses too many joins only when the client added some', () => {
    // ten single relations five levels deep: 50 joins, no fan-out
    const chains = Array.from({ length: 10 }, (_, i) => `r${i}${`.r${i}`.repeat(4)}.name = 'x'`).join(' || ');
    const joinsOf = (rule: string | null, filter: string | null) => ({
      schema,
      collection: wide,
      rule,
      filter: filter === null ? null : parseFilter(filter),
      sortKeys: [],
      enforceListRules: false,
    });
    expect(measureQueryCost(joinsOf(null, chains))).toEqual({ multiHops: 0, fanOut: 1, joins: 50 });
    expect(() => checkQueryCost(joinsOf(null, chains))).toThrowError(
      new GalleyError('invalid', `filter is too complex: too many relation joins (50, max ${MAX_STATEMENT_JOINS})`),
    );
    // the developer's rule alone may go over: it is trusted
    expect(checkQueryCost(joinsOf(chains, null)).joins).toBe(50);
  });
});
