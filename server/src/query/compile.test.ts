import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DummyDriver, Kysely, sql, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Expression } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../db/open.ts';
import { GalleyError } from '../errors.ts';
import { compileConditionItems, compileFilterAst, composeScopedWhere } from './compile.ts';
import { sqliteDialect as d } from './dialect.ts';
import { parseFilter } from './parser.ts';
import { columnOperand, type FilterResolver, type Join } from './resolver.ts';

/** The compiler with a tiny resolver: table `items` as `t` with title, views and a JSON array `tags`. */
function itemsResolver(): FilterResolver {
  const joins: Join[] = [];
  return {
    resolve(name) {
      if (['id', 'title', 'views', 'tags'].includes(name)) return columnOperand(sql.id('t', name));
      if (name !== 'tags:each') return null;
      if (joins.length === 0) joins.push({ alias: 't.tags[]', source: d.jsonEach(sql.id('t', 'tags')), on: null });
      const mm: Join = { alias: 'mm:t.tags[]', source: d.jsonEach(sql.id('t', 'tags')), on: null };
      const operand = columnOperand(d.jsonEachValue('t.tags[]'), {
        multi: { joins: [mm], value: d.jsonEachValue('mm:t.tags[]'), nullFallback: 'auto' },
      });
      return { ...operand, joined: true };
    },
    joinScope: () => ({ joins, conditions: [] }),
  };
}

const NOW = new Date('2024-03-15T10:20:30.456Z');
const compileOnly = new Kysely<any>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});
const compile = (filter: string) => compileFilterAst(parseFilter(filter), itemsResolver(), { now: NOW });
/** A listRule and a client filter compiled into one join scope (one resolver: one `t.tags[]` join). */
const compileShared = (rule: string, filter: string) => {
  const r = itemsResolver();
  const items = [...compileConditionItems(parseFilter(rule), r, { now: NOW }), ...compileConditionItems(parseFilter(filter), r, { now: NOW })];
  return composeScopedWhere(items, r.joinScope())!;
};
const text = (e: Expression<unknown>) => sql`${e}`.compile(compileOnly);

const T = '"t"."title"';
const EACH = `json_each((CASE WHEN iif(json_valid("t"."tags"), json_type("t"."tags") = 'array', FALSE) THEN "t"."tags" ELSE json_array("t"."tags") END))`;
const joinedEach = (where: string) =>
  `EXISTS (SELECT 1 FROM (SELECT 1) AS "__root" LEFT JOIN ${EACH} AS "t.tags[]" ON TRUE WHERE ${where})`;
const allOf = (cond: string) =>
  `NOT EXISTS (SELECT 1 FROM (SELECT "mm:t.tags[]"."value" AS "v" FROM (SELECT 1) AS "__mm" LEFT JOIN ${EACH} AS "mm:t.tags[]" ON TRUE) AS "__sm" WHERE NOT (${cond}))`;

// rows: id, title, views, tags
const ROWS = [
  [1, 'alpha', 10, '["a","b"]'],
  [2, '', 0, '[]'],
  [3, null, null, '["a"]'],
  [4, 'a_b%c', 5, '["b"]'],
  [5, 'Beta', 20, '["a","a"]'],
  [6, 'a__', 1, '[]'],
] as const;

interface Case {
  filter: string;
  sql: string;
  params: unknown[];
  ids: number[];
}

const CASES: Case[] = [
  { filter: 'title = "alpha"', sql: `${T} = ?`, params: ['alpha'], ids: [1] },
  { filter: "title = 'alpha'", sql: `${T} = ?`, params: ['alpha'], ids: [1] },
  { filter: 'title = ""', sql: `(${T} = '' OR ${T} IS NULL)`, params: [], ids: [2, 3] },
  { filter: 'title != ""', sql: `(${T} IS NOT '' AND ${T} IS NOT NULL)`, params: [], ids: [1, 4, 5, 6] },
  { filter: 'title = null', sql: `(${T} = '' OR ${T} IS NULL)`, params: [], ids: [2, 3] },
  { filter: 'title != NULL', sql: `(${T} IS NOT '' AND ${T} IS NOT NULL)`, params: [], ids: [1, 4, 5, 6] },
  { filter: '"" = title', sql: `('' = ${T} OR ${T} IS NULL)`, params: [], ids: [2, 3] },
  { filter: 'title != "alpha"', sql: `${T} IS NOT ?`, params: ['alpha'], ids: [2, 3, 4, 5, 6] },
  { filter: 'title = views', sql: `COALESCE(${T}, '') = COALESCE("t"."views", '')`, params: [], ids: [3] },
  { filter: '"" = null', sql: `'' = ''`, params: [], ids: [1, 2, 3, 4, 5, 6] },
  { filter: 'views > 5 && views <= 20', sql: `("t"."views" > ? AND "t"."views" <= ?)`, params: [5, 20], ids: [1, 5] },
  { filter: 'views >= -1.5 && views < 1', sql: `("t"."views" >= ? AND "t"."views" < ?)`, params: [-1.5, 1], ids: [2] },
  // AND binds tighter than OR; parentheses group
  {
    filter: 'title = "alpha" || views = 5 && title = "x"',
    sql: `(${T} = ? OR ("t"."views" = ? AND ${T} = ?))`,
    params: ['alpha', 5, 'x'],
    ids: [1],
  },
  {
    filter: '(title = "alpha" || views = 5) && title != "x"',
    sql: `((${T} = ? OR "t"."views" = ?) AND ${T} IS NOT ?)`,
    params: ['alpha', 5, 'x'],
    ids: [1, 4],
  },
  { filter: 'title ~ "a"', sql: `${T} LIKE ? ESCAPE '\\'`, params: ['%a%'], ids: [1, 4, 5, 6] },
  { filter: 'title ~ "_"', sql: `${T} LIKE ? ESCAPE '\\'`, params: ['%\\_%'], ids: [4, 6] },
  // wire: PocketBase escapes only the later of two adjacent wildcards
  { filter: 'title ~ "a__"', sql: `${T} LIKE ? ESCAPE '\\'`, params: ['%a_\\_%'], ids: [6] },
  { filter: 'title ~ "a%"', sql: `${T} LIKE ? ESCAPE '\\'`, params: ['a%'], ids: [1, 4, 6] },
  { filter: 'title ~ "a\\%"', sql: `${T} LIKE ? ESCAPE '\\'`, params: ['%a\\%%'], ids: [] },
  { filter: 'title !~ "a"', sql: `${T} NOT LIKE ? ESCAPE '\\'`, params: ['%a%'], ids: [2] },
  { filter: '"alpha beta" ~ title', sql: `? LIKE ('%' || ${T} || '%') ESCAPE '\\'`, params: ['alpha beta'], ids: [1, 2, 5, 6] },
  { filter: 'title ~ 5', sql: `${T} LIKE ? ESCAPE '\\'`, params: ['%5%'], ids: [] },
  // a bare multi-value column is its JSON text
  { filter: 'tags ~ "b"', sql: `"t"."tags" LIKE ? ESCAPE '\\'`, params: ['%b%'], ids: [1, 4] },
  { filter: 'tags = \'["a"]\'', sql: `"t"."tags" = ?`, params: ['["a"]'], ids: [3] },
  // all-of (plain operator) and any-of (`?`) over items; an empty set is one NULL item
  {
    filter: 'tags:each = "a"',
    sql: joinedEach(`("t.tags[]"."value" = ? AND ${allOf(`"__sm"."v" = ?`)})`),
    params: ['a', 'a'],
    ids: [3, 5],
  },
  { filter: 'tags:each ?= "a"', sql: joinedEach(`"t.tags[]"."value" = ?`), params: ['a'], ids: [1, 3, 5] },
  {
    filter: 'tags:each != "a"',
    sql: joinedEach(`("t.tags[]"."value" IS NOT ? AND ${allOf(`"__sm"."v" IS NOT ?`)})`),
    params: ['a', 'a'],
    ids: [2, 4, 6],
  },
  { filter: 'tags:each ?!= "a"', sql: joinedEach(`"t.tags[]"."value" IS NOT ?`), params: ['a'], ids: [1, 2, 4, 6] },
  {
    filter: 'tags:each = ""',
    sql: joinedEach(
      `(("t.tags[]"."value" = '' OR "t.tags[]"."value" IS NULL) AND ${allOf(`("__sm"."v" = '' OR "__sm"."v" IS NULL)`)})`,
    ),
    params: [],
    ids: [2, 6],
  },
  {
    filter: '"a" = tags:each',
    sql: joinedEach(`(? = "t.tags[]"."value" AND ${allOf(`? = "__sm"."v"`)})`),
    params: ['a', 'a'],
    ids: [3, 5],
  },
  { filter: 'tags:each ?~ "b"', sql: joinedEach(`"t.tags[]"."value" LIKE ? ESCAPE '\\'`), params: ['%b%'], ids: [1, 4] },
  {
    filter: 'tags:each = "a" || title = "alpha"',
    sql: joinedEach(`(("t.tags[]"."value" = ? AND ${allOf(`"__sm"."v" = ?`)}) OR ${T} = ?)`),
    params: ['a', 'a', 'alpha'],
    ids: [1, 3, 5],
  },
  // literals
  { filter: 'true = true', sql: '1 = 1', params: [], ids: [1, 2, 3, 4, 5, 6] },
  { filter: 'TRUE != False', sql: '1 IS NOT 0', params: [], ids: [1, 2, 3, 4, 5, 6] },
  { filter: 'views = true', sql: '"t"."views" = 1', params: [], ids: [6] },
  { filter: "'x' = 'x'", sql: '? = ?', params: ['x', 'x'], ids: [1, 2, 3, 4, 5, 6] },
  // macros and functions
  { filter: 'title = @now', sql: `${T} = ?`, params: ['2024-03-15 10:20:30.456Z'], ids: [] },
  { filter: '@month = 3 && @weekday = 5', sql: '(? = ? AND ? = ?)', params: [3, 3, 5, 5], ids: [1, 2, 3, 4, 5, 6] },
  {
    filter: "strftime('%Y', @now) = '2024'",
    sql: 'strftime(?, ?) = ?',
    params: ['%Y', '2024-03-15 10:20:30.456Z', '2024'],
    ids: [1, 2, 3, 4, 5, 6],
  },
  { filter: "strftime('%Y') != ''", sql: `(strftime(?) IS NOT '' AND strftime(?) IS NOT NULL)`, params: ['%Y', '%Y'], ids: [1, 2, 3, 4, 5, 6] },
  // comments
  { filter: 'title = "alpha" // the first', sql: `${T} = ?`, params: ['alpha'], ids: [1] },
  { filter: '// leading\ntitle = "Beta"', sql: `${T} = ?`, params: ['Beta'], ids: [5] },
];

interface SharedCase {
  rule: string;
  filter: string;
  sql: string;
  params: unknown[];
  ids: number[];
}

const SHARED_CASES: SharedCase[] = [
  // wire: one joined tag must meet rule AND filter; separate scopes would also return 1 (a for the rule, b for the filter)
  {
    rule: 'tags:each ?= "a" || views = 0',
    filter: 'tags:each ?= "b"',
    sql: joinedEach(`("t.tags[]"."value" = ? OR "t"."views" = ?) AND "t.tags[]"."value" = ?`),
    params: ['a', 0, 'b'],
    ids: [],
  },
  {
    rule: 'tags:each ?= "a" || views = 10',
    filter: 'tags:each ?= "b"',
    sql: joinedEach(`("t.tags[]"."value" = ? OR "t"."views" = ?) AND "t.tags[]"."value" = ?`),
    params: ['a', 10, 'b'],
    ids: [1],
  },
  // top-level AND items that read only the record stay outside the EXISTS, in order
  {
    rule: 'views >= 0 && tags:each ?= "a"',
    filter: 'title != ""',
    sql: `("t"."views" >= ? AND (${T} IS NOT '' AND ${T} IS NOT NULL) AND ${joinedEach(`"t.tags[]"."value" = ?`)})`,
    params: [0, 'a'],
    ids: [1, 5],
  },
  { rule: 'views > 1', filter: 'title ~ "a"', sql: `("t"."views" > ? AND ${T} LIKE ? ESCAPE '\\')`, params: [1, '%a%'], ids: [1, 4, 5] },
];

describe('compileFilterAst: filter → exact SQL and parameters', () => {
  it.each(CASES)('$filter', (c) => {
    const out = text(compile(c.filter));
    expect(out.sql).toBe(c.sql);
    expect(out.parameters).toEqual(c.params);
  });

  it('renders geoDistance as a Haversine distance in km, IS-compared', () => {
    const out = text(compile('geoDistance(0, 0, views, 0) < 600'));
    expect(out.sql).toContain('asin(sqrt(');
    expect(out.sql.endsWith(' < ?')).toBe(true);
    expect(out.parameters).toEqual([0, 0, 0, 0, 0, 600]);
  });

  it('reports an unknown identifier by name and position, without SQL', () => {
    expect(() => compile('title = "x" && nope = 1')).toThrow(/^unknown field "nope" at 15$/);
    expect(() => compile('nope(1) = 1')).toThrow(/unknown function "nope"/);
    expect(() => compile('geoDistance(1, 2) = 1')).toThrow(GalleyError);
    expect(() => compile("strftime(title) = ''")).toThrow(/format text/);
  });
});

describe('compileFilterAst: executed on SQLite', () => {
  let dir: string;
  let db: OpenedDatabase;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'galley-'));
    db = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 5000 });
    await db.writer.run(async (tx) => {
      await sql`CREATE TABLE items (id INTEGER PRIMARY KEY, title TEXT, views NUMERIC, tags TEXT NOT NULL DEFAULT '[]')`.execute(tx.db);
      for (const [id, title, views, tags] of ROWS) {
        await sql`INSERT INTO items (id, title, views, tags) VALUES (${id}, ${title}, ${views}, ${tags})`.execute(tx.db);
      }
    });
  });

  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (filter: string) => {
    const rows = await db.read.selectFrom('items as t').select('t.id').where(compile(filter)).orderBy('t.id').execute();
    return rows.map((r) => Number(r.id));
  };

  it.each(CASES)('$filter', async (c) => {
    expect(await run(c.filter)).toEqual(c.ids);
  });

  it.each(SHARED_CASES)('rule $rule with filter $filter (one join scope)', async (c) => {
    const out = text(compileShared(c.rule, c.filter));
    expect(out.sql).toBe(c.sql);
    expect(out.parameters).toEqual(c.params);
    const rows = await db.read.selectFrom('items as t').select('t.id').where(compileShared(c.rule, c.filter)).orderBy('t.id').execute();
    expect(rows.map((r) => Number(r.id))).toEqual(c.ids);
  });

  it('geoDistance measures km on the sphere', async () => {
    // 1° of longitude at the equator ≈ 111.2 km: views 0, 1, 5 are within 600 km, 10 and 20 are not
    expect(await run('geoDistance(0, 0, views, 0) < 600')).toEqual([2, 4, 6]);
    expect(await run('geoDistance(23.32, 42.69, 23.32, 42.69) = 0')).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
