/**
 * The reference evaluator: what PocketBase answers for a list/view/expand over a small in-memory dataset,
 * written from the reference §4–§5 and PocketBase's source (tools/search/filter.go,
 * core/record_field_resolver*.go, apis/record_crud.go) — never from Galley's code.
 *
 * The model, in PocketBase's terms:
 * - A list is ONE statement: the record LEFT JOINs every relation path the rule and filter mention (one
 *   alias per path, shared by all mentions), and a record is returned when SOME row of that join satisfies
 *   the whole WHERE (rule AND filter AND join guards). A single relation gives one row (NULLs when empty);
 *   a multiple relation (`readers.x`) and `:each` give one row per item, or one all-NULL row when empty.
 *   So `readers.name ?= 'a' && readers.age ?> 30` needs ONE reader with both.
 * - A plain operator on a multi-valued operand adds "and no item makes the comparison FALSE"
 *   (`NOT EXISTS (… WHERE NOT cond)`) over the item set (empty set = one NULL item). SQL's three-valued
 *   logic matters there: an item whose comparison is NULL does not count as failing.
 * - Comparisons are SQL: NULL propagates through `=`, `<`, LIKE; `!=` is `IS NOT` (never NULL).
 * - `=`/`!=` are empty-aware (filter.go resolveEqualExpr): "" and NULL are the same.
 * - A client filter from a non-superuser that joins another collection (`owner.name`, not `owner.id`,
 *   which reads the column) adds `alias.id = '' OR (that collection's listRule)` to the top-level WHERE;
 *   a `null` listRule there is a 400. Rules themselves run with full access.
 * - A client filter of a non-superuser matches `email` of an auth record only where `emailVisibility`
 *   is true: every comparison reading it also needs `emailVisibility = TRUE` on that joined row.
 *
 * Where Galley deliberately differs from PocketBase (README, "filter syntax"):
 * - In a client filter of a non-superuser, the all-of item set holds only the items the caller may see:
 *   a joined reader must pass the users listRule (a missing/dangling one stays a NULL item), and for
 *   `readers.email` it must also have a public email. PocketBase's all-of subquery reads every item,
 *   which answers questions about records and emails the caller may not see.
 * - A sort through a relation (`owner.name`) never filters: a joined row the caller may not list (or
 *   a private email) sorts as NULL. PocketBase adds the joined collection's listRule to the WHERE.
 */
import type { Cmp, Expr, Op, Operand, Rule } from './expr.ts';

export interface UserRow { id: string; name: string; role: string; age: number; emailVisibility: boolean }
export interface TeamRow { id: string; name: string; public: boolean }
export interface DocRow {
  id: string;
  title: string;
  score: number;
  published: boolean;
  owner: string;
  team: string;
  readers: string[];
  tags: string[];
  note: string;
}
export interface World { users: UserRow[]; teams: TeamRow[]; docs: DocRow[] }

export type Requester = { kind: 'guest' } | { kind: 'user'; id: string } | { kind: 'superuser' };
export type CollectionName = 'docs' | 'users' | 'teams';
export interface CollectionRules { listRule: Rule; viewRule: Rule }
export type RuleSet = Record<CollectionName, CollectionRules>;

export interface SortKey { field: 'id' | 'title' | 'score' | 'published' | 'note' | 'owner.name' | 'team.name' | 'owner.email'; desc: boolean }

/** SQL values: bools are stored as 1/0. */
type Sql = string | number | null;
/** SQL's three-valued truth. */
type Tri = boolean | null;

interface Resolved {
  kind: 'col' | 'param' | 'null' | 'bool';
  value: Sql;
  /** multi-valued operand: every item's value, `[null]` for an empty set (the LEFT JOIN's NULL row) */
  items?: Sql[];
}

/** Which join row a multi-valued alias is on. */
interface Combo { readers: number; tags: number }

interface Ctx {
  world: World;
  requester: Requester;
  base: CollectionName;
  record: DocRow | UserRow | TeamRow;
  combo: Combo;
  /** Set for a non-superuser's client filter: which joined users it may list (emails also need visibility). */
  canListUser?: (u: UserRow) => boolean;
}

const and3 = (a: Tri, b: Tri): Tri => (a === false || b === false ? false : a === true && b === true ? true : null);
const or3 = (a: Tri, b: Tri): Tri => (a === true || b === true ? true : a === false && b === false ? false : null);

function findUser(w: World, id: string): UserRow | null {
  return w.users.find((u) => u.id === id) ?? null;
}

function readerRows(w: World, d: DocRow): (UserRow | null)[] {
  // a dangling id joins no row: NULLs, like an empty set
  return d.readers.length === 0 ? [null] : d.readers.map((id) => findUser(w, id));
}

function tagRows(d: DocRow): (string | null)[] {
  return d.tags.length === 0 ? [null] : d.tags;
}

const col = (value: Sql): Resolved => ({ kind: 'col', value });
const sqlOf = (v: string | number | boolean | null | undefined): Sql => (typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? null));

function resolveAuth(key: string, ctx: Ctx): Resolved {
  const r = ctx.requester;
  if (r.kind === 'guest') return { kind: 'null', value: null };
  if (r.kind === 'superuser') throw new Error('reference: rules never run for superusers');
  // @request.auth.id is a bound value; other auth fields LEFT JOIN the auth record (one row)
  if (key === 'id') return { kind: 'param', value: r.id };
  const me = findUser(ctx.world, r.id);
  return col(me ? sqlOf((me as unknown as Record<string, string | number>)[key]) : null);
}

/** A user's email is derived from its id (fixture.ts signs them up so). */
export const emailOf = (u: UserRow): string => `${u.id}@example.com`;

function userField(u: UserRow | null, field: string): string | number | boolean | null {
  if (u !== null && field === 'email') return emailOf(u);
  return fieldOf(u, field);
}

/** Whether a reader counts as an item of the all-of check (client filters see only what they may list). */
function readerCounts(ctx: Ctx, u: UserRow | null, field: string): boolean {
  if (!ctx.canListUser) return true;
  if (field === 'email' && (u === null || !u.emailVisibility)) return false;
  return u === null || ctx.canListUser(u);
}

function resolveDocPath(path: string, d: DocRow, ctx: Ctx): Resolved {
  const w = ctx.world;
  switch (path) {
    case 'id':
    case 'title':
    case 'note':
    case 'score':
    case 'owner':
    case 'team':
      return col(d[path]);
    case 'published':
      return col(d.published ? 1 : 0);
    // a bare multi-value column is its stored JSON text
    case 'readers':
      return col(JSON.stringify(d.readers));
    case 'tags':
      return col(JSON.stringify(d.tags));
    // `rel.id` on a single relation reads the column, no join
    case 'owner.id':
      return col(d.owner);
    case 'team.id':
      return col(d.team);
    case 'tags:length':
      return col(d.tags.length);
    case 'readers:length':
      return col(d.readers.length);
    case 'tags:each': {
      const rows = tagRows(d);
      return { kind: 'col', value: rows[ctx.combo.tags] ?? null, items: rows };
    }
  }
  const [head, field] = path.split('.') as [string, string];
  if (head === 'owner') return col(sqlOf(userField(findUser(w, d.owner), field)));
  if (head === 'team') return col(sqlOf(fieldOf(w.teams.find((t) => t.id === d.team) ?? null, field)));
  if (head === 'readers') {
    const rows = readerRows(w, d);
    const items = rows.filter((u) => readerCounts(ctx, u, field)).map((u) => sqlOf(userField(u, field)));
    return { kind: 'col', value: sqlOf(userField(rows[ctx.combo.readers] ?? null, field)), items };
  }
  throw new Error(`reference: unknown docs path ${path}`);
}

function fieldOf(row: object | null, field: string): string | number | boolean | null {
  if (row === null) return null;
  const v = (row as Record<string, unknown>)[field];
  if (v === undefined) throw new Error(`reference: unknown field ${field}`);
  return v as string | number | boolean;
}

function resolve(o: Operand, ctx: Ctx): Resolved {
  switch (o.kind) {
    case 'text':
      return { kind: 'param', value: o.value };
    case 'number':
      return { kind: 'param', value: o.value };
    case 'null':
      return { kind: 'null', value: null };
    case 'bool':
      // wire: true/false are the SQL constants 1/0
      return { kind: 'bool', value: o.value ? 1 : 0 };
    case 'field':
      if (o.path.startsWith('@request.auth.')) return resolveAuth(o.path.slice('@request.auth.'.length), ctx);
      if (ctx.base === 'docs') return resolveDocPath(o.path, ctx.record as DocRow, ctx);
      return col(sqlOf(fieldOf(ctx.record, o.path)));
  }
}

// ---- SQL comparisons -------------------------------------------------------------------------------

/** SQLite's cross-type order: numbers sort before text. Both operands non-NULL. */
function sqlCompare(a: string | number, b: string | number): number {
  const ta = typeof a === 'number' ? 0 : 1;
  const tb = typeof b === 'number' ? 0 : 1;
  if (ta !== tb) return ta - tb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sqlEq(a: Sql, b: Sql): Tri {
  if (a === null || b === null) return null;
  return sqlCompare(a, b) === 0;
}

function sqlIsNot(a: Sql, b: Sql): boolean {
  if (a === null || b === null) return !(a === null && b === null);
  return sqlCompare(a, b) !== 0;
}

const isEmptyOperand = (r: Resolved): boolean => r.kind === 'null' || (r.kind === 'param' && r.value === '');
const isKnownNonEmpty = (r: Resolved): boolean => r.kind === 'bool' || (r.kind === 'param' && r.value !== '' && r.value !== null);

/** `=` / `!=` as filter.go's resolveEqualExpr writes them. */
function emptyAwareEq(equal: boolean, l: Resolved, r: Resolved): Tri {
  const le = isEmptyOperand(l);
  const re = isEmptyOperand(r);
  if (le && re) return equal; // '' = '' / '' IS NOT ''
  if (isKnownNonEmpty(l) || isKnownNonEmpty(r)) {
    const a = le ? '' : l.value;
    const b = re ? '' : r.value;
    return equal ? sqlEq(a, b) : sqlIsNot(a, b);
  }
  // (x = '' OR x IS NULL) / (x IS NOT '' AND x IS NOT NULL)
  if (le) return equal ? r.value === '' || r.value === null : r.value !== '' && r.value !== null;
  if (re) return equal ? l.value === '' || l.value === null : l.value !== '' && l.value !== null;
  // COALESCE(a,'') = COALESCE(b,'')
  const a = l.value ?? '';
  const b = r.value ?? '';
  return equal ? sqlEq(a, b) : sqlIsNot(a, b);
}

/** PocketBase's containsUnescapedChar. */
function hasUnescapedPercent(s: string): boolean {
  let prev = '';
  for (const c of s) {
    if (c === '%' && prev !== '\\') return true;
    prev = c === '\\' && prev === '\\' ? '' : c;
  }
  return false;
}

/** A bound `~` value: used as-is with an unescaped `%`, else `%…%` with `\ % _` escaped. */
export function wrapLikeValue(v: string): string {
  if (hasUnescapedPercent(v)) return v;
  // generated literals hold no backslash, so escaping is plain (PocketBase skips already-escaped chars)
  if (v.includes('\\')) throw new Error('reference: backslashes in ~ literals are not modelled');
  return '%' + v.replace(/[%_]/g, (m) => '\\' + m) + '%';
}

const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** SQLite `value LIKE pattern ESCAPE '\'`: ASCII case-insensitive, `%` any run, `_` one character. */
export function sqlLike(value: string, pattern: string): boolean {
  let re = '';
  const p = [...asciiLower(pattern)];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const next = p[++i];
      if (next === undefined) return false;
      re += next.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp('^' + re + '$', 'su').test(asciiLower(value));
}

function likeExpr(negate: boolean, l: Resolved, r: Resolved): Tri {
  let pattern: string | null;
  if (r.kind === 'param') pattern = wrapLikeValue(String(r.value));
  // a column (or a NULL/keyword) right side: LIKE ('%' || x || '%'), unescaped
  else pattern = r.value === null ? null : '%' + String(r.value) + '%';
  if (l.value === null || pattern === null) return null;
  const m = sqlLike(String(l.value), pattern);
  return negate ? !m : m;
}

function compareOp(op: Op, l: Resolved, r: Resolved): Tri {
  switch (op) {
    case '=':
      return emptyAwareEq(true, l, r);
    case '!=':
      return emptyAwareEq(false, l, r);
    case '~':
      return likeExpr(false, l, r);
    case '!~':
      return likeExpr(true, l, r);
  }
  if (l.value === null || r.value === null) return null;
  const c = sqlCompare(l.value, r.value);
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

/** The joined user a `owner.email`/`readers.email` operand reads, when a client filter must guard it. */
function guardedUser(o: Operand, ctx: Ctx): { user: UserRow | null } | null {
  if (!ctx.canListUser || ctx.base !== 'docs' || o.kind !== 'field') return null;
  const d = ctx.record as DocRow;
  if (o.path === 'owner.email') return { user: findUser(ctx.world, d.owner) };
  if (o.path === 'readers.email') return { user: readerRows(ctx.world, d)[ctx.combo.readers] ?? null };
  return null;
}

function evalCmp(c: Cmp, ctx: Ctx): Tri {
  const l = resolve(c.left, ctx);
  const r = resolve(c.right, ctx);
  if (l.items && r.items) throw new Error('reference: many-vs-many comparisons are not generated');
  let result = compareOp(c.op, l, r);
  if (!c.any && (l.items || r.items)) {
    // all-of: NOT EXISTS (SELECT … FROM items WHERE NOT cond) — only a FALSE item fails it
    const someItemFails = l.items
      ? l.items.some((v) => compareOp(c.op, { kind: 'col', value: v }, r) === false)
      : r.items!.some((v) => compareOp(c.op, l, { kind: 'col', value: v }) === false);
    result = and3(result, !someItemFails);
  }
  // `AND alias.emailVisibility = TRUE` (NULL for a missing row)
  for (const o of [c.left, c.right]) {
    const g = guardedUser(o, ctx);
    if (g) result = and3(result, g.user === null ? null : g.user.emailVisibility);
  }
  return result;
}

function evalExpr(e: Expr, ctx: Ctx): Tri {
  switch (e.kind) {
    case 'cmp':
      return evalCmp(e, ctx);
    case 'paren':
      return evalExpr(e.inner, ctx);
    case 'and':
      return and3(evalExpr(e.left, ctx), evalExpr(e.right, ctx));
    case 'or':
      return or3(evalExpr(e.left, ctx), evalExpr(e.right, ctx));
  }
}

// ---- joins a client filter adds, and their listRule guards -----------------------------------------

type JoinAlias = 'owner' | 'team' | 'readers';
const JOIN_TARGET: Record<JoinAlias, CollectionName> = { owner: 'users', team: 'teams', readers: 'users' };

function operandsOf(e: Expr): Operand[] {
  if (e.kind === 'cmp') return [e.left, e.right];
  if (e.kind === 'paren') return operandsOf(e.inner);
  return [...operandsOf(e.left), ...operandsOf(e.right)];
}

/** The docs relations a filter joins (`owner.id`/`team.id` read the column and join nothing). */
export function joinedAliases(e: Expr): JoinAlias[] {
  const out = new Set<JoinAlias>();
  for (const o of operandsOf(e)) {
    if (o.kind !== 'field' || o.path.startsWith('@')) continue;
    const m = /^(owner|team|readers)\.(\w+)$/.exec(o.path);
    if (!m) continue;
    if (m[1] !== 'readers' && m[2] === 'id') continue;
    out.add(m[1] as JoinAlias);
  }
  return [...out];
}

function joinedRow(w: World, d: DocRow, alias: JoinAlias, combo: Combo): UserRow | TeamRow | null {
  if (alias === 'owner') return findUser(w, d.owner);
  if (alias === 'team') return w.teams.find((t) => t.id === d.team) ?? null;
  return readerRows(w, d)[combo.readers] ?? null;
}

// ---- whole-record decisions ---------------------------------------------------------------------------

interface Guard { alias: JoinAlias; rule: Expr }

/** A condition of a list: the rule (full access) or the caller's filter (client mode when `canListUser`). */
interface Condition { expr: Expr; canListUser?: (u: UserRow) => boolean }

/** Some join row satisfies every condition and every guard. */
function recordMatches(
  world: World,
  requester: Requester,
  base: CollectionName,
  record: DocRow | UserRow | TeamRow,
  conditions: Condition[],
  guards: Guard[],
): boolean {
  const combos: Combo[] = [];
  if (base === 'docs') {
    const d = record as DocRow;
    const nr = readerRows(world, d).length;
    const nt = tagRows(d).length;
    for (let i = 0; i < nr; i++) for (let j = 0; j < nt; j++) combos.push({ readers: i, tags: j });
  } else combos.push({ readers: 0, tags: 0 });
  return combos.some((combo) => {
    const ctx: Ctx = { world, requester, base, record, combo };
    let v: Tri = true;
    for (const c of conditions) v = and3(v, evalExpr(c.expr, { ...ctx, canListUser: c.canListUser }));
    for (const g of guards) {
      const row = joinedRow(world, record as DocRow, g.alias, combo);
      // `alias.id = ''` holds for the NULL row of an empty relation
      const ok: Tri = row === null ? true : evalExpr(g.rule, { world, requester, base: JOIN_TARGET[g.alias], record: row, combo });
      v = and3(v, ok);
    }
    return v === true;
  });
}

/** Whether a record of `users`/`teams` passes its viewRule for this requester (expand). */
export function canView(world: World, rules: RuleSet, requester: Requester, base: CollectionName, row: DocRow | UserRow | TeamRow): boolean {
  if (requester.kind === 'superuser') return true;
  const rule = rules[base].viewRule;
  if (rule === null) return false;
  if (rule === '') return true;
  return recordMatches(world, requester, base, row, [{ expr: rule }], []);
}

export type ListExpectation = { status: 403 | 400 } | { status: 200; ids: string[] };

export function expectList(world: World, rules: RuleSet, requester: Requester, filter: Expr | null, sort: SortKey[]): ListExpectation {
  const superuser = requester.kind === 'superuser';
  const listRule = rules.docs.listRule;
  if (!superuser && listRule === null) return { status: 403 };
  const guards: Guard[] = [];
  if (!superuser && filter) {
    for (const alias of joinedAliases(filter)) {
      const joinedRule = rules[JOIN_TARGET[alias]].listRule;
      if (joinedRule === null) return { status: 400 };
      if (joinedRule !== '') guards.push({ alias, rule: joinedRule });
    }
  }
  // a sort through a relation with a null listRule is an invalid sort field for non-superusers
  for (const k of sort) {
    const target = k.field.startsWith('owner.') ? 'users' : k.field.startsWith('team.') ? 'teams' : null;
    if (!superuser && target && rules[target].listRule === null) return { status: 400 };
  }
  const conditions: Condition[] = [];
  if (!superuser && listRule !== null && listRule !== '') conditions.push({ expr: listRule });
  const canListUser = superuser ? undefined : (u: UserRow) => canList(world, rules, requester, 'users', u);
  if (filter) conditions.push({ expr: filter, canListUser });
  const docs = world.docs.filter((d) => recordMatches(world, requester, 'docs', d, conditions, guards));
  return { status: 200, ids: sortDocs(docs, sort, { world, rules, requester }).map((d) => d.id) };
}

/** Whether a joined row passes its collection's listRule for this requester (`''` lets anyone). */
function canList(world: World, rules: RuleSet, requester: Requester, base: 'users' | 'teams', row: UserRow | TeamRow): boolean {
  if (requester.kind === 'superuser') return true;
  const rule = rules[base].listRule;
  if (rule === null) return false;
  return rule === '' || recordMatches(world, requester, base, row, [{ expr: rule }], []);
}

export interface SortContext { world: World; rules: RuleSet; requester: Requester }

/** A sort key's value: a joined row the requester may not list (or a private email) is NULL. */
function sortValue(d: DocRow, field: SortKey['field'], sc: SortContext): Sql {
  const superuser = sc.requester.kind === 'superuser';
  if (field === 'owner.name' || field === 'owner.email') {
    const u = findUser(sc.world, d.owner);
    if (!u || !canList(sc.world, sc.rules, sc.requester, 'users', u)) return null;
    if (field === 'owner.name') return u.name;
    return superuser || u.emailVisibility ? emailOf(u) : null;
  }
  if (field === 'team.name') {
    const t = sc.world.teams.find((x) => x.id === d.team);
    return t && canList(sc.world, sc.rules, sc.requester, 'teams', t) ? t.name : null;
  }
  return sqlOf(d[field]);
}

/** SQLite's ORDER BY: NULL first ascending. */
function sortCompare(a: Sql, b: Sql): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return sqlCompare(a, b);
}

export function compareBySort(a: DocRow, b: DocRow, sort: SortKey[], sc: SortContext): number {
  for (const k of sort) {
    const c = sortCompare(sortValue(a, k.field, sc), sortValue(b, k.field, sc));
    if (c !== 0) return k.desc ? -c : c;
  }
  return 0;
}

export function sortDocs(docs: DocRow[], sort: SortKey[], sc: SortContext): DocRow[] {
  return [...docs].sort((a, b) => compareBySort(a, b, sort, sc));
}

export function expectView(world: World, rules: RuleSet, requester: Requester, id: string): 200 | 403 | 404 {
  const superuser = requester.kind === 'superuser';
  const viewRule = rules.docs.viewRule;
  if (!superuser && viewRule === null) return 403;
  const d = world.docs.find((x) => x.id === id);
  if (!d) return 404;
  if (superuser || viewRule === '') return 200;
  return recordMatches(world, requester, 'docs', d, [{ expr: viewRule as Expr }], []) ? 200 : 404;
}

export interface ExpandedIds { owner?: string; team?: string; readers?: string[] }

/** The related ids a doc's `expand` holds: each only if its own collection's viewRule lets the requester see it. */
export function expectExpand(world: World, rules: RuleSet, requester: Requester, d: DocRow, paths: string[]): ExpandedIds {
  const out: ExpandedIds = {};
  const user = (id: string): UserRow | null => findUser(world, id);
  if (paths.includes('owner') && d.owner !== '') {
    const u = user(d.owner);
    if (u && canView(world, rules, requester, 'users', u)) out.owner = u.id;
  }
  if (paths.includes('team') && d.team !== '') {
    const t = world.teams.find((x) => x.id === d.team);
    if (t && canView(world, rules, requester, 'teams', t)) out.team = t.id;
  }
  if (paths.includes('readers')) {
    const ids = d.readers.filter((id) => {
      const u = user(id);
      return u !== null && canView(world, rules, requester, 'users', u);
    });
    if (ids.length > 0) out.readers = ids;
  }
  return out;
}
