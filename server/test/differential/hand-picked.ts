/**
 * A fixed batch for the differential test: the semantics most worth pinning, whatever the random seed.
 * Each query says in its comment what PocketBase does there.
 */
import type { Cmp, Expr, Op, Operand } from './expr.ts';
import { GHOST_ID, USER_IDS, TEAM_IDS, DOC_IDS, type Batch, type Query } from './generators.ts';
import type { Requester } from './reference.ts';

const f = (path: string): Operand => ({ kind: 'field', path });
const t = (value: string): Operand => ({ kind: 'text', value, quote: "'" });
const n = (value: number): Operand => ({ kind: 'number', value });
const cmp = (left: Operand, op: Op, right: Operand, any = false): Cmp => ({ kind: 'cmp', left, op, any, right });
const and = (left: Expr, right: Expr): Expr => ({ kind: 'and', left, right });
const or = (left: Expr, right: Expr): Expr => ({ kind: 'or', left, right });

const [ann, bob, cy, dee] = USER_IDS as [string, string, string, string];
const [d1, d2, d3, d4, d5] = DOC_IDS as [string, string, string, string, string];
const asBob: Requester = { kind: 'user', id: bob };
const asGuest: Requester = { kind: 'guest' };
const asRoot: Requester = { kind: 'superuser' };

const query = (requester: Requester, filter: Expr | null, extra: Partial<Query> = {}): Query => ({
  requester,
  filter,
  sort: [{ field: 'id', desc: false }],
  sortText: 'id',
  expand: '',
  probes: [d1, d2, d5],
  ...extra,
});

export const HAND_PICKED: Batch = {
  world: {
    users: [
      { id: ann, name: 'Ann', role: 'admin', age: 40, emailVisibility: true },
      { id: bob, name: 'bob', role: 'member', age: 20, emailVisibility: false },
      { id: cy, name: '', role: '', age: 0, emailVisibility: false },
      { id: dee, name: 'Dee', role: 'guest', age: 33, emailVisibility: true },
    ],
    teams: TEAM_IDS.map((id, i) => ({ id, name: ['red', 'blue', ''][i]!, public: i === 0 })),
    docs: [
      { id: d1, title: 'Alpha', score: 5, published: false, owner: ann, team: TEAM_IDS[0]!, readers: [ann, bob], tags: ['a', 'b'], note: '' },
      { id: d2, title: '50% off', score: -1.5, published: false, owner: '', team: TEAM_IDS[1]!, readers: [], tags: [], note: 'f_' },
      { id: d3, title: 'a_b', score: 0, published: false, owner: bob, team: '', readers: [bob, GHOST_ID], tags: ['a'], note: 'Alpha' },
      { id: d4, title: 'zeta', score: 10, published: true, owner: GHOST_ID, team: TEAM_IDS[2]!, readers: [dee, bob], tags: ['c'], note: 'x' },
      { id: d5, title: 'beta', score: 2, published: true, owner: dee, team: TEAM_IDS[0]!, readers: [dee], tags: [], note: '%' },
    ],
  },
  rules: {
    docs: {
      listRule: or(cmp(f('readers.id'), '=', f('@request.auth.id'), true), cmp(f('published'), '=', { kind: 'bool', value: true, spelling: 'true' })),
      viewRule: cmp(f('owner'), '=', f('@request.auth.id')),
    },
    users: { listRule: cmp(f('age'), '>', n(25)), viewRule: cmp(f('role'), '!=', t('guest')) },
    teams: { listRule: '', viewRule: null },
  },
  queries: [
    // the rule's `readers` and the filter's `readers` are ONE join (one LEFT JOIN alias in PocketBase's
    // statement): d1 has bob as a reader and Ann (40) — but no single reader is both bob and over 30,
    // so only the published d4/d5 match; evaluating rule and filter on separate rows also returns d1
    query(asBob, cmp(f('readers.age'), '>', n(30), true)),
    // the users listRule check (age > 25) that the filter's `readers` adds holds on that same row too: in d1
    // the row passing the rule is bob (20), who fails the check, so only the published d4/d5 match
    query(asBob, cmp(f('readers.id'), '!=', t(''), true)),
    // a guest's @request.auth.id is NULL, and `readers.id ?= NULL` holds on the NULL row of an empty set
    query(asGuest, null, { expand: 'owner,team,readers' }),
    // the users listRule (age > 25) guards the joined reader rows: bob (20) cannot be matched by name
    query(asBob, cmp(f('readers.name'), '=', t('bob'), true)),
    // all-of with a dangling id: its NULL item does not fail `=`, so d3 (bob + ghost) matches
    query(asRoot, cmp(f('readers.name'), '=', t('bob')), { expand: 'readers,owner' }),
    // a missing owner is NULL: `owner.name = ''` holds for both the empty and the dangling owner
    query(asRoot, and(cmp(f('owner.name'), '=', t('')), cmp(f('title'), '!~', t('%e%')))),
    // precedence: && binds tighter than ||
    query(asRoot, or(cmp(f('score'), '<', n(0)), and(cmp(f('published'), '=', { kind: 'bool', value: true, spelling: 'true' }), cmp(f('score'), '>', n(5))))),
    // views: the viewRule `owner = @request.auth.id` — bob owns d3, a guest "owns" the unowned d2
    query(asBob, null, { probes: [d1, d3, 'doc999999999999'] }),
    query(asGuest, null, { probes: [d2, d4] }),
  ],
};
