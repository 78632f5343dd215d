// The reference evaluator on hand-computed cases: if it is wrong, the differential test proves nothing.
import { describe, expect, it } from 'vitest';
import { renderExpr, type Cmp, type Expr, type Op, type Operand, type Rule } from './expr.ts';
import { expectExpand, expectList, expectView, sqlLike, wrapLikeValue, type RuleSet, type World } from './reference.ts';

const f = (path: string): Operand => ({ kind: 'field', path });
const t = (value: string): Operand => ({ kind: 'text', value, quote: "'" });
const n = (value: number): Operand => ({ kind: 'number', value });
const NULL: Operand = { kind: 'null', spelling: 'null' };
const TRUE: Operand = { kind: 'bool', value: true, spelling: 'true' };
const cmp = (left: Operand, op: Op, right: Operand, any = false): Cmp => ({ kind: 'cmp', left, op, any, right });
const and = (left: Expr, right: Expr): Expr => ({ kind: 'and', left, right });
const or = (left: Expr, right: Expr): Expr => ({ kind: 'or', left, right });

const world: World = {
  users: [
    { id: 'usr000000000001', name: 'Ann', role: 'admin', age: 40, emailVisibility: true },
    { id: 'usr000000000002', name: 'bob', role: 'member', age: 20, emailVisibility: false },
    { id: 'usr000000000003', name: '', role: '', age: 0, emailVisibility: false },
  ],
  teams: [
    { id: 'team00000000001', name: 'red', public: true },
    { id: 'team00000000002', name: 'blue', public: false },
  ],
  docs: [
    // d1: owner Ann, public team, readers Ann+bob, tags a,b
    { id: 'doc000000000001', title: 'Alpha', score: 5, published: true, owner: 'usr000000000001', team: 'team00000000001', readers: ['usr000000000001', 'usr000000000002'], tags: ['a', 'b'], note: '' },
    // d2: no owner, private team, no readers, no tags
    { id: 'doc000000000002', title: '50% off', score: -1.5, published: false, owner: '', team: 'team00000000002', readers: [], tags: [], note: 'f_' },
    // d3: owner bob, no team, reader bob only, tag a
    { id: 'doc000000000003', title: 'a_b', score: 0, published: false, owner: 'usr000000000002', team: '', readers: ['usr000000000002'], tags: ['a'], note: 'Alpha' },
  ],
};

const open: RuleSet = {
  docs: { listRule: '', viewRule: '' },
  users: { listRule: '', viewRule: '' },
  teams: { listRule: '', viewRule: '' },
};
const guest = { kind: 'guest' } as const;
const ann = { kind: 'user', id: 'usr000000000001' } as const;
const bob = { kind: 'user', id: 'usr000000000002' } as const;
const root = { kind: 'superuser' } as const;

function ids(filter: Expr | null, rules: RuleSet = open, who: Parameters<typeof expectList>[2] = guest): string[] | number {
  const r = expectList(world, rules, who, filter, []);
  return r.status === 200 ? r.ids.map((id) => id.slice(-1)).sort() : r.status;
}
const withDocs = (listRule: Rule, viewRule: Rule = listRule): RuleSet => ({ ...open, docs: { listRule, viewRule } });

describe('reference evaluator', () => {
  it('treats "" and null alike in = and !=', () => {
    expect(ids(cmp(f('note'), '=', NULL))).toEqual(['1']);
    expect(ids(cmp(f('note'), '!=', t('')))).toEqual(['2', '3']);
    expect(ids(cmp(f('owner'), '=', t('')))).toEqual(['2']);
    // a missing single relation is NULL: = '' holds, != '' does not
    expect(ids(cmp(f('owner.name'), '=', t('')))).toEqual(['2']);
    expect(ids(cmp(f('team.public'), '!=', TRUE))).toEqual(['2', '3']);
    expect(ids(cmp(f('team.public'), '=', TRUE))).toEqual(['1']);
    // number and bool columns are never empty
    expect(ids(cmp(f('score'), '=', t('')))).toEqual([]);
    expect(ids(cmp(f('published'), '!=', NULL))).toEqual(['1', '2', '3']);
  });

  it('escapes LIKE wildcards unless the value has an unescaped %', () => {
    expect(wrapLikeValue('a_b')).toBe('%a\\_b%');
    expect(wrapLikeValue('50%')).toBe('50%');
    expect(sqlLike('axb', '%a\\_b%')).toBe(false);
    expect(sqlLike('A_B', '%a\\_b%')).toBe(true);
    expect(sqlLike('É', '%é%')).toBe(false);
    expect(ids(cmp(f('title'), '~', t('a_b')))).toEqual(['3']);
    expect(ids(cmp(f('title'), '~', t('ALP')))).toEqual(['1']);
    // user wildcard: anchored at both ends
    expect(ids(cmp(f('title'), '~', t('a%')))).toEqual(['1', '3']);
    expect(ids(cmp(f('title'), '~', t('')))).toEqual(['1', '2', '3']);
    expect(ids(cmp(f('title'), '!~', t('%')))).toEqual([]);
    // column on the right: '%' || note || '%', wildcards in the column stay wildcards
    expect(ids(cmp(f('title'), '~', f('note')))).toEqual(['1', '2']);
    expect(ids(cmp(f('tags'), '~', t('b')))).toEqual(['1']);
  });

  it('gives all-of to plain operators and any-of to ? operators on multi-valued paths', () => {
    expect(ids(cmp(f('readers.name'), '=', t('bob')))).toEqual(['3']);
    expect(ids(cmp(f('readers.name'), '=', t('bob'), true))).toEqual(['1', '3']);
    // empty set: one NULL item — `=` fails on it, `!=` holds
    expect(ids(cmp(f('readers.name'), '!=', t('bob')))).toEqual(['2']);
    expect(ids(cmp(f('readers.name'), '=', t('')))).toEqual(['2']);
    expect(ids(cmp(f('tags:each'), '=', t('a')))).toEqual(['3']);
    expect(ids(cmp(f('tags:each'), '!=', t('a'), true))).toEqual(['1', '2']);
    expect(ids(cmp(f('readers.age'), '>', n(10)))).toEqual(['1', '3']);
    expect(ids(cmp(f('tags:length'), '>', n(1)))).toEqual(['1']);
  });

  it('evaluates both sides of && on the same join row', () => {
    // d1 has Ann (admin, 40) and bob (member, 20): no single reader is a member over 30
    const e = and(cmp(f('readers.role'), '=', t('member'), true), cmp(f('readers.age'), '>', n(30), true));
    expect(ids(e)).toEqual([]);
    expect(ids(or(cmp(f('readers.role'), '=', t('member'), true), cmp(f('readers.age'), '>', n(30), true)))).toEqual(['1', '3']);
  });

  it('lets && bind tighter than ||', () => {
    const e = or(cmp(f('score'), '<', n(0)), and(cmp(f('published'), '=', TRUE), cmp(f('score'), '>', n(100))));
    expect(renderExpr(e)).toBe('score < 0 || published = true && score > 100');
    expect(ids(e)).toEqual(['2']);
    const g = and({ kind: 'or', left: cmp(f('score'), '<', n(0)), right: cmp(f('published'), '=', TRUE) }, cmp(f('score'), '>', n(1)));
    expect(renderExpr(g)).toBe('(score < 0 || published = true) && score > 1');
    expect(ids(g)).toEqual(['1']);
  });

  it('binds @request.auth in rules; a guest is NULL, so `owner = @request.auth.id` matches unowned docs', () => {
    const rule = cmp(f('owner'), '=', f('@request.auth.id'));
    expect(ids(null, withDocs(rule), guest)).toEqual(['2']);
    expect(ids(null, withDocs(rule), bob)).toEqual(['3']);
    expect(ids(null, withDocs(rule), root)).toEqual(['1', '2', '3']);
    const readers = cmp(f('readers.id'), '=', f('@request.auth.id'), true);
    expect(ids(null, withDocs(readers), guest)).toEqual(['2']);
    expect(ids(null, withDocs(readers), bob)).toEqual(['1', '3']);
    expect(ids(null, withDocs(cmp(f('@request.auth.role'), '=', t('admin'))), ann)).toEqual(['1', '2', '3']);
    expect(ids(null, withDocs(cmp(f('@request.auth.role'), '=', t('admin'))), bob)).toEqual([]);
    expect(ids(null, withDocs(null), guest)).toBe(403);
    expect(expectView(world, withDocs(rule), bob, 'doc000000000001')).toBe(404);
    expect(expectView(world, withDocs(rule), bob, 'doc000000000003')).toBe(200);
    expect(expectView(world, withDocs(null), bob, 'doc000000000003')).toBe(403);
    expect(expectView(world, withDocs(null), root, 'doc000000000003')).toBe(200);
  });

  it('guards client filters that join another collection with its listRule', () => {
    const onlyMe: RuleSet = { ...open, users: { listRule: cmp(f('id'), '=', f('@request.auth.id')), viewRule: '' } };
    // the guard is ANDed at the top: bob cannot see Ann, so d1 drops out even through the || branch
    const e = or(cmp(f('owner.name'), '!=', t('zz')), cmp(f('score'), '>', n(-100)));
    expect(ids(e, onlyMe, bob)).toEqual(['2', '3']);
    expect(ids(e, onlyMe, root)).toEqual(['1', '2', '3']);
    // owner.id reads the column: no join, no guard
    expect(ids(cmp(f('owner.id'), '!=', t('')), onlyMe, bob)).toEqual(['1', '3']);
    const closed: RuleSet = { ...open, users: { listRule: null, viewRule: '' } };
    expect(ids(cmp(f('owner.name'), '=', t('Ann')), closed, bob)).toBe(400);
    expect(ids(cmp(f('owner'), '=', t('usr000000000001')), closed, bob)).toEqual(['1']);
  });

  it('lets only readers the requester may list, with public emails, decide an all-of check (Galley, not PocketBase)', () => {
    const hidesBob: RuleSet = { ...open, users: { listRule: cmp(f('age'), '>', n(25)), viewRule: '' } };
    // d1: Ann (40) and bob (20, hidden from a guest): bob's age does not fail `> 30`; d3 has only bob
    expect(ids(cmp(f('readers.age'), '>', n(30)), hidesBob)).toEqual(['1']);
    expect(ids(cmp(f('readers.age'), '>', n(30)), hidesBob, root)).toEqual([]);
    // d1: Ann's email is public, bob's is not: probing bob's prefix answers as probing nothing
    expect(ids(cmp(f('readers.email'), '!~', t('usr000000000002%')))).toEqual(['1']);
    expect(ids(cmp(f('readers.email'), '!~', t('zzzz%')))).toEqual(['1']);
    expect(ids(cmp(f('readers.email'), '!~', t('usr000000000002%')), open, root)).toEqual([]);
    expect(ids(cmp(f('readers.email'), '!~', t('zzzz%')), open, root)).toEqual(['1', '3']);
    // a private email never matches a client filter, even `= its value`
    expect(ids(cmp(f('owner.email'), '=', t('usr000000000002@example.com')))).toEqual([]);
    expect(ids(cmp(f('owner.email'), '=', t('usr000000000002@example.com')), open, root)).toEqual(['3']);
  });

  it('sorts a related row the requester may not list as NULL, without dropping its record', () => {
    const hidesBob: RuleSet = { ...open, users: { listRule: cmp(f('age'), '>', n(25)), viewRule: '' } };
    const sorted = (rules: RuleSet, who: Parameters<typeof expectList>[2], field: 'owner.name' | 'owner.email' | 'team.name', desc = false) => {
      const r = expectList(world, rules, who, null, [{ field, desc }, { field: 'id', desc: false }]);
      return r.status === 200 ? r.ids.map((id) => id.slice(-1)) : r.status;
    };
    // d1 Ann, d2 no owner, d3 bob (hidden from a guest): NULLs first, tied by id
    expect(sorted(hidesBob, guest, 'owner.name')).toEqual(['2', '3', '1']);
    expect(sorted(hidesBob, guest, 'owner.name', true)).toEqual(['1', '2', '3']);
    expect(sorted(hidesBob, root, 'owner.name')).toEqual(['2', '1', '3']);
    // Ann's email is public, bob's is not
    expect(sorted(open, guest, 'owner.email', true)).toEqual(['1', '2', '3']);
    // d2's team is private (teams listRule public = true)
    const publicTeams: RuleSet = { ...open, teams: { listRule: cmp(f('public'), '=', TRUE), viewRule: '' } };
    expect(sorted(publicTeams, guest, 'team.name')).toEqual(['2', '3', '1']);
    expect(sorted({ ...open, teams: { listRule: null, viewRule: '' } }, guest, 'team.name')).toBe(400);
  });

  it('expands only what the related collection lets the requester view', () => {
    const rules: RuleSet = { ...open, users: { listRule: '', viewRule: cmp(f('role'), '!=', t('member')) }, teams: { listRule: '', viewRule: null } };
    const d1 = world.docs[0]!;
    expect(expectExpand(world, rules, guest, d1, ['owner', 'team', 'readers'])).toEqual({ owner: 'usr000000000001', readers: ['usr000000000001'] });
    expect(expectExpand(world, rules, root, d1, ['owner', 'team', 'readers'])).toEqual({
      owner: 'usr000000000001',
      team: 'team00000000001',
      readers: ['usr000000000001', 'usr000000000002'],
    });
  });
});
