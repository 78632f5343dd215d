/**
 * fast-check arbitraries for the differential rule test: a dataset (4 users, 3 teams, 30 docs), a rule
 * set, and queries (requester, filter, sort, expand, view probes). Comparisons stay type-consistent
 * (text with text, numbers with numbers) except for `""`/`null`, so SQLite's affinity conversions never
 * decide an answer; literals come from pools close to the data so that filters actually select.
 */
import fc from 'fast-check';
import type { Cmp, Expr, Op, Operand, Rule } from './expr.ts';
import type { CollectionName, CollectionRules, DocRow, Requester, RuleSet, SortKey, TeamRow, UserRow, World } from './reference.ts';

export const USER_IDS = ['usr000000000001', 'usr000000000002', 'usr000000000003', 'usr000000000004'];
/** A user whose row is deleted behind the API's back after seeding: docs keep dangling ids to it. */
export const GHOST_ID = 'usr000000000009';
export const TEAM_IDS = ['team00000000001', 'team00000000002', 'team00000000003'];
export const DOC_COUNT = 30;
export const DOC_IDS = Array.from({ length: DOC_COUNT }, (_, i) => 'doc' + String(i + 1).padStart(12, '0'));
export const TAG_VALUES = ['a', 'b', 'c', 'd'];
export const ROLE_VALUES = ['admin', 'member', 'guest'];

const NAMES = ['Ann', 'ann', 'ANN', 'bob', 'Bob Smith', '', 'é', 'É', 'o_o', '50%', 'zed'];
const TEAM_NAMES = ['red', 'Red', 'blue', '', 'green_1'];
const TITLES = ['alpha', 'Alpha', 'ALPHA beta', 'beta', 'gamma_ray', 'gamma ray', '50% off', '50 off', "it's", 'say "hi"', '', 'é', 'É', 'zeta', 'a_b', 'axb', 'a%b', '100', '9', ' lead'];
// notes double as LIKE patterns (`title ~ note`): 'l_h' and 'a%a' match titles only as wildcards
const NOTES = ['', '', '', '', 'alpha', 'x', 'f_', 'l_h', 'a%a', 'beta', '%', 'A'];
const SCORES = [-5, -1.5, 0, 0, 1, 2, 2.5, 10, 100];
const AGES = [0, 17, 25, 30, 42, 65];

// ---- dataset ---------------------------------------------------------------------------------------

const userArb = (id: string): fc.Arbitrary<UserRow> =>
  fc.record({
    id: fc.constant(id),
    name: fc.constantFrom(...NAMES),
    role: fc.constantFrom(...ROLE_VALUES, ''),
    age: fc.constantFrom(...AGES),
    emailVisibility: fc.boolean(),
  });

const teamArb = (id: string): fc.Arbitrary<TeamRow> =>
  fc.record({ id: fc.constant(id), name: fc.constantFrom(...TEAM_NAMES), public: fc.boolean() });

const docArb = (id: string): fc.Arbitrary<DocRow> =>
  fc.record({
    id: fc.constant(id),
    title: fc.constantFrom(...TITLES),
    score: fc.constantFrom(...SCORES),
    published: fc.boolean(),
    owner: fc.option(fc.constantFrom(...USER_IDS, ...USER_IDS, GHOST_ID), { nil: '', freq: 5 }),
    team: fc.option(fc.constantFrom(...TEAM_IDS), { nil: '', freq: 4 }),
    readers: fc.oneof(
      { arbitrary: fc.shuffledSubarray(USER_IDS, { minLength: 0, maxLength: USER_IDS.length }), weight: 4 },
      { arbitrary: fc.shuffledSubarray([...USER_IDS, GHOST_ID], { minLength: 1, maxLength: USER_IDS.length + 1 }), weight: 1 },
    ),
    tags: fc.shuffledSubarray(TAG_VALUES, { minLength: 0, maxLength: TAG_VALUES.length }),
    note: fc.constantFrom(...NOTES),
  });

export const worldArb: fc.Arbitrary<World> = fc.record({
  users: fc.tuple(...USER_IDS.map(userArb)),
  teams: fc.tuple(...TEAM_IDS.map(teamArb)),
  docs: fc.tuple(...DOC_IDS.map(docArb)),
});

// ---- expressions ------------------------------------------------------------------------------------

type FieldType = 'text' | 'number' | 'bool' | 'json';
type Pool = 'docId' | 'userId' | 'teamId' | 'title' | 'note' | 'name' | 'role' | 'teamName' | 'tag' | 'score' | 'age' | 'count' | 'email';
interface FieldSpec { path: string; type: FieldType; pool: Pool; multi?: boolean }

const FIELDS: Record<CollectionName, FieldSpec[]> = {
  docs: [
    { path: 'id', type: 'text', pool: 'docId' },
    { path: 'title', type: 'text', pool: 'title' },
    { path: 'note', type: 'text', pool: 'note' },
    { path: 'owner', type: 'text', pool: 'userId' },
    { path: 'team', type: 'text', pool: 'teamId' },
    { path: 'owner.id', type: 'text', pool: 'userId' },
    { path: 'team.id', type: 'text', pool: 'teamId' },
    { path: 'owner.name', type: 'text', pool: 'name' },
    { path: 'owner.role', type: 'text', pool: 'role' },
    { path: 'team.name', type: 'text', pool: 'teamName' },
    { path: 'readers.name', type: 'text', pool: 'name', multi: true },
    { path: 'readers.role', type: 'text', pool: 'role', multi: true },
    { path: 'readers.id', type: 'text', pool: 'userId', multi: true },
    // emails: a client filter matches only public ones, and its all-of check reads no private one
    { path: 'owner.email', type: 'text', pool: 'email' },
    { path: 'readers.email', type: 'text', pool: 'email', multi: true },
    { path: 'tags:each', type: 'text', pool: 'tag', multi: true },
    { path: 'score', type: 'number', pool: 'score' },
    { path: 'owner.age', type: 'number', pool: 'age' },
    { path: 'readers.age', type: 'number', pool: 'age', multi: true },
    { path: 'tags:length', type: 'number', pool: 'count' },
    { path: 'readers:length', type: 'number', pool: 'count' },
    { path: 'published', type: 'bool', pool: 'count' },
    { path: 'team.public', type: 'bool', pool: 'count' },
    { path: 'tags', type: 'json', pool: 'tag' },
    { path: 'readers', type: 'json', pool: 'userId' },
  ],
  users: [
    { path: 'id', type: 'text', pool: 'userId' },
    { path: 'name', type: 'text', pool: 'name' },
    { path: 'role', type: 'text', pool: 'role' },
    { path: 'age', type: 'number', pool: 'age' },
  ],
  teams: [
    { path: 'id', type: 'text', pool: 'teamId' },
    { path: 'name', type: 'text', pool: 'teamName' },
    { path: 'public', type: 'bool', pool: 'count' },
  ],
};

const TEXT_POOLS: Record<string, string[]> = {
  docId: [...DOC_IDS.slice(0, 8), 'doc00000000000', 'nonexistent0000'],
  userId: [...USER_IDS, GHOST_ID, 'usr00000000000', 'nonexistent0000'],
  teamId: [...TEAM_IDS, 'team0000000000', 'nonexistent0000'],
  title: [...TITLES, 'alp', 'ALP', 'ha', '%ta', 'a%', '%a', '_', '%', 'a_', '50%', 'gamma_', 'nomatch', 'Alpha beta'],
  note: [...new Set(NOTES), 'nomatch', 'f', 'F_'],
  name: [...NAMES, 'an', 'AN', 'b%', '%b', 'nomatch', '_'],
  role: [...ROLE_VALUES, 'Admin', 'adm', '%min', 'ad_in', 'nomatch'],
  teamName: [...TEAM_NAMES, 're', 'RED', '%e%', 'nomatch'],
  tag: [...TAG_VALUES, 'A', 'x'],
  // whole emails, and prefixes that `!~ 'prefix%'` probes would use to read a private one
  email: [...USER_IDS.map((id) => `${id}@example.com`), 'usr000000000001%', 'usr000000000003%', '%@example.com', 'usr%', 'nomatch'],
};
const NUMBER_POOLS: Record<string, number[]> = {
  score: [...new Set(SCORES), 0.5, -100, 1000, 3],
  age: [...AGES, 18, 31, 100],
  count: [0, 1, 2, 3, 4, 5],
};
/** Text columns usable on the right of a text comparison (single-valued: many-vs-many is not generated). */
const TEXT_COLUMNS: Record<CollectionName, string[]> = {
  docs: ['title', 'note', 'owner.name', 'team.name', 'owner.role'],
  users: ['name', 'role'],
  teams: ['name'],
};
const PROSE_POOLS: Pool[] = ['title', 'note', 'name', 'role', 'teamName'];
const NUMBER_COLUMNS: Record<CollectionName, string[]> = { docs: ['score', 'owner.age', 'tags:length'], users: ['age'], teams: [] };

const field = (path: string): Operand => ({ kind: 'field', path });
const quoteFor = (value: string): fc.Arbitrary<"'" | '"'> =>
  value.includes("'") && value.includes('"') ? fc.constantFrom("'" as const, '"' as const) : value.includes("'") ? fc.constant('"' as const) : value.includes('"') ? fc.constant("'" as const) : fc.constantFrom("'" as const, '"' as const);
const textLit = (values: string[]): fc.Arbitrary<Operand> =>
  fc.constantFrom(...values).chain((value) => quoteFor(value).map((quote): Operand => ({ kind: 'text', value, quote })));
const numLit = (values: number[]): fc.Arbitrary<Operand> => fc.constantFrom(...values).map((value): Operand => ({ kind: 'number', value }));
const nullLit: fc.Arbitrary<Operand> = fc.constantFrom('null', 'NULL', 'Null').map((spelling): Operand => ({ kind: 'null', spelling }));
const emptyLit: fc.Arbitrary<Operand> = fc.constantFrom("'", '"').map((quote): Operand => ({ kind: 'text', value: '', quote: quote as "'" | '"' }));
const boolLit: fc.Arbitrary<Operand> = fc
  .constantFrom(['true', true], ['false', false], ['TRUE', true], ['False', false])
  .map(([spelling, value]): Operand => ({ kind: 'bool', value: value as boolean, spelling: spelling as string }));

const ALL_OPS: Op[] = ['=', '!=', '>', '>=', '<', '<=', '~', '!~'];
const ORDER_OPS: Op[] = ['=', '!=', '>', '>=', '<', '<='];
const EQ_OPS: Op[] = ['=', '!='];

export interface ExprOptions { collection: CollectionName; auth: boolean }

function rightFor(spec: FieldSpec, op: Op, o: ExprOptions): fc.Arbitrary<Operand> {
  const like = op === '~' || op === '!~';
  const eq = op === '=' || op === '!=';
  const options: { arbitrary: fc.Arbitrary<Operand>; weight: number }[] = [];
  const add = (arbitrary: fc.Arbitrary<Operand>, weight: number): void => {
    options.push({ arbitrary, weight });
  };
  if (spec.type === 'text' || spec.type === 'json') {
    add(textLit(TEXT_POOLS[spec.pool]!), 12);
    if (spec.type === 'text') {
      add(emptyLit, eq ? 2 : 1);
      add(nullLit, 1);
      // column against column only between prose-like fields, where wildcards in the data can matter
      const cols = PROSE_POOLS.includes(spec.pool) ? TEXT_COLUMNS[o.collection].filter((c) => c !== spec.path) : [];
      if (cols.length > 0) add(fc.constantFrom(...cols).map(field), like ? 6 : 2);
    }
    if (o.auth) {
      const isId = spec.pool === 'userId';
      if (isId) add(fc.constant(field('@request.auth.id')), 6);
      if (spec.type === 'text') add(fc.constantFrom('@request.auth.name', '@request.auth.role').map(field), like ? 1 : 2);
    }
  } else if (spec.type === 'number') {
    add(numLit(NUMBER_POOLS[spec.pool]!), 12);
    add(nullLit, 1);
    if (eq) add(emptyLit, 1);
    const cols = NUMBER_COLUMNS[o.collection].filter((c) => c !== spec.path);
    if (cols.length > 0) add(fc.constantFrom(...cols).map(field), 1);
    if (o.auth) add(fc.constant(field('@request.auth.age')), 2);
  } else {
    add(boolLit, 10);
    add(nullLit, 1);
    if (eq) add(emptyLit, 1);
  }
  return fc.oneof(...options);
}

function opsFor(spec: FieldSpec): Op[] {
  if (spec.type === 'text') return ALL_OPS;
  if (spec.type === 'json') return ['~', '!~'];
  if (spec.type === 'number') return ORDER_OPS;
  return [...EQ_OPS, ...EQ_OPS, ...EQ_OPS, '<', '>'];
}

function fieldCmp(o: ExprOptions): fc.Arbitrary<Cmp> {
  return fc.constantFrom(...FIELDS[o.collection]).chain((spec) =>
    fc.constantFrom(...opsFor(spec)).chain((op) =>
      fc
        .record({
          right: rightFor(spec, op, o),
          any: fc.integer({ min: 0, max: 99 }).map((n) => n < (spec.multi ? 50 : 8)),
          swap: fc.integer({ min: 0, max: 99 }).map((n) => n < 15),
        })
        .map(({ right, any, swap }): Cmp => {
          const left = field(spec.path);
          // a literal may stand on the left (`'a' < title`); LIKE keeps the field on the left
          if (swap && right.kind !== 'field' && op !== '~' && op !== '!~') return { kind: 'cmp', left: right, op, any, right: left };
          return { kind: 'cmp', left, op, any, right };
        }),
    ),
  );
}

/** Comparisons about the requester alone (rules only). */
const authCmp: fc.Arbitrary<Cmp> = fc.oneof(
  fc.record({ op: fc.constantFrom<Op>('=', '!='), right: fc.oneof(emptyLit, nullLit) }).map(
    ({ op, right }): Cmp => ({ kind: 'cmp', left: field('@request.auth.id'), op, any: false, right }),
  ),
  fc.record({ op: fc.constantFrom<Op>('=', '!=', '~'), right: textLit(TEXT_POOLS['role']!) }).map(
    ({ op, right }): Cmp => ({ kind: 'cmp', left: field('@request.auth.role'), op, any: false, right }),
  ),
  fc.record({ op: fc.constantFrom<Op>(...ORDER_OPS), right: numLit(NUMBER_POOLS['age']!) }).map(
    ({ op, right }): Cmp => ({ kind: 'cmp', left: field('@request.auth.age'), op, any: false, right }),
  ),
);

/** Literal-only comparisons (`'' = null`, `1 > 2`): constant truths the compiler must still get right. */
const constantCmp: fc.Arbitrary<Cmp> = fc.constantFrom<[Operand, Op, Operand]>(
  [{ kind: 'text', value: '', quote: "'" }, '=', { kind: 'null', spelling: 'null' }],
  [{ kind: 'null', spelling: 'null' }, '!=', { kind: 'text', value: '', quote: '"' }],
  [{ kind: 'number', value: 1 }, '=', { kind: 'number', value: 1 }],
  [{ kind: 'number', value: 2 }, '<', { kind: 'number', value: 1 }],
  [{ kind: 'bool', value: true, spelling: 'true' }, '=', { kind: 'bool', value: false, spelling: 'false' }],
  [{ kind: 'text', value: 'a', quote: "'" }, '!=', { kind: 'text', value: 'b', quote: "'" }],
).map(([left, op, right]): Cmp => ({ kind: 'cmp', left, op, any: false, right }));

function cmpArb(o: ExprOptions): fc.Arbitrary<Cmp> {
  const parts = [{ arbitrary: fieldCmp(o), weight: 20 }, { arbitrary: constantCmp, weight: 1 }];
  if (o.auth) parts.push({ arbitrary: authCmp, weight: 6 });
  return fc.oneof(...parts);
}

export function exprArb(o: ExprOptions, depth: number): fc.Arbitrary<Expr> {
  const atom = cmpArb(o) as fc.Arbitrary<Expr>;
  if (depth <= 0) return atom;
  const sub = exprArb(o, depth - 1);
  return fc.oneof(
    { arbitrary: atom, weight: 4 },
    { arbitrary: fc.tuple(sub, sub).map(([left, right]): Expr => ({ kind: 'and', left, right })), weight: 3 },
    { arbitrary: fc.tuple(sub, sub).map(([left, right]): Expr => ({ kind: 'or', left, right })), weight: 3 },
    { arbitrary: sub.map((inner): Expr => ({ kind: 'paren', inner })), weight: 1 },
  );
}

// ---- rules ------------------------------------------------------------------------------------------

const cmp = (left: Operand, op: Op, right: Operand, any = false): Expr => ({ kind: 'cmp', left, op, any, right });
const text = (value: string): Operand => ({ kind: 'text', value, quote: "'" });
const TRUE: Operand = { kind: 'bool', value: true, spelling: 'true' };
const authId = field('@request.auth.id');
const or = (left: Expr, right: Expr): Expr => ({ kind: 'or', left, right });
const and = (left: Expr, right: Expr): Expr => ({ kind: 'and', left, right });

/** Rules people write, so the common shapes are always in the mix. */
const TYPICAL_DOC_RULES: Expr[] = [
  cmp(field('owner'), '=', authId),
  or(cmp(field('published'), '=', TRUE), cmp(field('owner'), '=', authId)),
  cmp(field('readers.id'), '=', authId, true),
  cmp(field('readers.id'), '=', authId),
  cmp(field('readers'), '~', authId),
  cmp(field('@request.auth.role'), '=', text('admin')),
  and(cmp(authId, '!=', text('')), cmp(field('team.public'), '=', TRUE)),
  or(cmp(field('owner.role'), '=', field('@request.auth.role')), cmp(field('readers.id'), '=', authId, true)),
  or(cmp(field('@request.auth.role'), '=', text('admin')), and(cmp(field('published'), '=', TRUE), cmp(field('owner.id'), '!=', authId))),
];

const docRuleArb: fc.Arbitrary<Rule> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.constant('' as const), weight: 1 },
  { arbitrary: fc.constantFrom(...TYPICAL_DOC_RULES), weight: 4 },
  { arbitrary: exprArb({ collection: 'docs', auth: true }, 2), weight: 6 },
);

const USER_RULES: Rule[] = [
  '',
  '',
  null,
  cmp(field('id'), '=', authId),
  cmp(field('role'), '!=', text('guest')),
  cmp(authId, '!=', text('')),
  cmp(field('age'), '>', { kind: 'number', value: 25 }),
];
const TEAM_RULES: Rule[] = [
  '',
  '',
  null,
  cmp(field('public'), '=', TRUE),
  or(cmp(field('@request.auth.role'), '=', text('admin')), cmp(field('public'), '=', TRUE)),
];
const rulesFrom = (pool: Rule[]): fc.Arbitrary<CollectionRules> =>
  fc.record({ listRule: fc.constantFrom(...pool), viewRule: fc.constantFrom(...pool) });

export const ruleSetArb: fc.Arbitrary<RuleSet> = fc.record({
  docs: fc.record({ listRule: docRuleArb, viewRule: fc.oneof(docRuleArb, docRuleArb) }),
  users: rulesFrom(USER_RULES),
  teams: rulesFrom(TEAM_RULES),
});

// ---- queries ------------------------------------------------------------------------------------------

export interface Query {
  requester: Requester;
  filter: Expr | null;
  sort: SortKey[];
  /** the `sort` param as sent */
  sortText: string;
  expand: string;
  /** ids to GET one by one (two existing, sometimes one that does not exist) */
  probes: string[];
}

const requesterArb: fc.Arbitrary<Requester> = fc.oneof(
  { arbitrary: fc.constant<Requester>({ kind: 'guest' }), weight: 2 },
  { arbitrary: fc.constantFrom(...USER_IDS).map((id): Requester => ({ kind: 'user', id })), weight: 5 },
  { arbitrary: fc.constant<Requester>({ kind: 'superuser' }), weight: 1 },
);

// relation keys: a row the requester may not list sorts as NULL (never filtered out)
const SORTABLE = ['title', 'score', 'published', 'note', 'owner.name', 'team.name', 'owner.email'] as const;
const sortArb: fc.Arbitrary<{ keys: SortKey[]; text: string }> = fc
  .tuple(
    fc.shuffledSubarray([...SORTABLE], { minLength: 0, maxLength: 3 }),
    fc.array(fc.constantFrom('-', '+', ''), { minLength: 4, maxLength: 4 }),
    fc.constantFrom('id', '-id', '+id', null, null),
  )
  .map(([fields, prefixes, tail]) => {
    const parts = fields.map((f, i) => prefixes[i]! + f);
    if (tail) parts.push(tail);
    const keys = parts.map((p): SortKey => ({ field: p.replace(/^[-+]/, '') as SortKey['field'], desc: p.startsWith('-') }));
    return { keys, text: parts.join(',') };
  });

export const queryArb: fc.Arbitrary<Query> = fc.record({
  requester: requesterArb,
  filter: fc.option(fc.integer({ min: 0, max: 3 }).chain((depth) => exprArb({ collection: 'docs', auth: false }, depth)), { nil: null, freq: 7 }),
  sort: fc.constant([]),
  sortText: fc.constant(''),
  expand: fc.constantFrom('', '', 'owner', 'team', 'readers', 'owner,team,readers', 'readers,owner'),
  probes: fc.tuple(fc.constantFrom(...DOC_IDS), fc.constantFrom(...DOC_IDS), fc.constantFrom('doc999999999999', DOC_IDS[0]!)),
}).chain((q) => sortArb.map((s) => ({ ...q, sort: s.keys, sortText: s.text })));

export interface Batch { world: World; rules: RuleSet; queries: Query[] }

export function batchArb(queriesPerBatch: number): fc.Arbitrary<Batch> {
  return fc.record({
    world: worldArb,
    rules: ruleSetArb,
    queries: fc.array(queryArb, { minLength: queriesPerBatch, maxLength: queriesPerBatch }),
  });
}
