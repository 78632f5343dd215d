/**
 * One query of a batch against Galley and against the reference: list (ids, order, totalItems,
 * expand) and a few views (status, expand). Returns what differs, in words and ids, never SQL.
 */
import type { BatchGalley } from './fixture.ts';
import { renderExpr, renderRule, subExpressions, type Expr } from './expr.ts';
import type { Batch, Query } from './generators.ts';
import {
  compareBySort,
  expectExpand,
  expectList,
  expectView,
  type DocRow,
  type ExpandedIds,
  type Requester,
  type RuleSet,
} from './reference.ts';

export interface Mismatch {
  what: string;
  query: Query;
  expected: unknown;
  got: unknown;
  note?: string;
}

export const describeRequester = (r: Requester): string => (r.kind === 'user' ? `user ${r.id}` : r.kind);

export function describeRules(rules: RuleSet): string {
  const show = (r: Parameters<typeof renderRule>[0]): string => JSON.stringify(renderRule(r));
  return (['docs', 'users', 'teams'] as const)
    .map((c) => `${c}.listRule=${show(rules[c].listRule)} ${c}.viewRule=${show(rules[c].viewRule)}`)
    .join('\n    ');
}

function listPath(filter: Expr | null, q: Query): string {
  const p = new URLSearchParams({ perPage: '1000' });
  if (filter) p.set('filter', renderExpr(filter));
  if (q.sortText) p.set('sort', q.sortText);
  if (q.expand) p.set('expand', q.expand);
  return `/api/collections/docs/records?${p}`;
}

/** The ids Galley's `expand` holds for one item. */
function expandedIdsOf(item: Record<string, unknown>): ExpandedIds | string {
  const out: ExpandedIds = {};
  const bag = item['expand'] as Record<string, unknown> | undefined;
  if (bag === undefined) return out;
  for (const [key, value] of Object.entries(bag)) {
    if (key === 'readers') {
      if (!Array.isArray(value)) return `expand.readers is not an array: ${JSON.stringify(value)}`;
      out.readers = value.map((v: { id: string }) => v.id);
    } else if (key === 'owner' || key === 'team') {
      if (Array.isArray(value) || typeof value !== 'object' || value === null) return `expand.${key} is not one record`;
      out[key] = (value as { id: string }).id;
    } else return `unexpected expand key ${key}`;
  }
  return out;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
/** Expanded ids in a fixed key order, so the comparison ignores the order of keys. */
const canonical = (e: ExpandedIds | string): ExpandedIds | string =>
  typeof e === 'string' ? e : Object.fromEntries((['owner', 'team', 'readers'] as const).filter((k) => k in e).map((k) => [k, e[k]]));
const setDiff = (a: string[], b: string[]): string[] => a.filter((x) => !b.includes(x));

async function fetchList(g: BatchGalley, q: Query, filter: Expr | null) {
  return g.t.call('GET', listPath(filter, q), { auth: g.tokenOf(q.requester) });
}

/** The smallest part of the filter on which Galley and the reference already disagree. */
async function narrowFilter(g: BatchGalley, batch: Batch, q: Query, filter: Expr): Promise<string | undefined> {
  for (const sub of subExpressions(filter)) {
    if (sub === filter) return undefined;
    const want = expectList(batch.world, batch.rules, q.requester, sub, []);
    const res = await fetchList(g, q, sub);
    const got: string[] = res.status === 200 ? res.json.items.map((i: { id: string }) => i.id).sort() : [];
    const wantIds = want.status === 200 ? [...want.ids].sort() : [];
    if (res.status !== want.status || !sameJson(got, wantIds)) {
      return `smallest differing filter: ${renderExpr(sub)} → expected ${want.status} [${wantIds.join(' ')}], got ${res.status} [${got.join(' ')}]`;
    }
  }
  return undefined;
}

export async function compareQuery(g: BatchGalley, batch: Batch, q: Query): Promise<Mismatch[]> {
  const { world, rules } = batch;
  const out: Mismatch[] = [];
  const docById = new Map<string, DocRow>(world.docs.map((d) => [d.id, d]));
  const expandPaths = q.expand ? q.expand.split(',') : [];

  const want = expectList(world, rules, q.requester, q.filter, q.sort);
  const res = await fetchList(g, q, q.filter);
  if (res.status !== want.status) {
    out.push({ what: 'list status', query: q, expected: want.status, got: `${res.status} ${res.text.slice(0, 200)}` });
  } else if (want.status === 200) {
    const items = res.json.items as Record<string, unknown>[];
    const got = items.map((i) => String(i['id']));
    if (!sameJson([...got].sort(), [...want.ids].sort())) {
      const note = q.filter ? await narrowFilter(g, batch, q, q.filter) : undefined;
      out.push({
        what: 'list ids',
        query: q,
        expected: want.ids.length,
        got: got.length,
        note: `only expected: [${setDiff(want.ids, got).join(' ')}] only got: [${setDiff(got, want.ids).join(' ')}]${note ? '\n    ' + note : ''}`,
      });
    } else {
      if (res.json.totalItems !== want.ids.length) out.push({ what: 'totalItems', query: q, expected: want.ids.length, got: res.json.totalItems });
      // the order must follow the sort keys; with a unique last key (id) it is exactly the reference's
      const unique = q.sort.some((k) => k.field === 'id');
      if (unique && !sameJson(got, want.ids)) out.push({ what: 'order', query: q, expected: want.ids, got });
      for (let i = 1; i < got.length && q.sort.length > 0; i++) {
        if (compareBySort(docById.get(got[i - 1]!)!, docById.get(got[i]!)!, q.sort, { world, rules, requester: q.requester }) > 0) {
          out.push({ what: 'order', query: q, expected: `${got[i - 1]} not after ${got[i]}`, got });
          break;
        }
      }
      if (expandPaths.length > 0) {
        for (const item of items) {
          const id = String(item['id']);
          const expected = expectExpand(world, rules, q.requester, docById.get(id)!, expandPaths);
          const actual = expandedIdsOf(item);
          if (!sameJson(canonical(actual), canonical(expected))) out.push({ what: `list expand of ${id}`, query: q, expected, got: actual });
        }
      }
    }
  }

  for (const id of q.probes) {
    const status = expectView(world, rules, q.requester, id);
    const path = `/api/collections/docs/records/${id}${q.expand ? `?expand=${encodeURIComponent(q.expand)}` : ''}`;
    const view = await g.t.call('GET', path, { auth: g.tokenOf(q.requester) });
    if (view.status !== status) {
      out.push({ what: `view ${id} status`, query: q, expected: status, got: `${view.status} ${view.text.slice(0, 200)}` });
    } else if (status === 200 && expandPaths.length > 0) {
      const expected = expectExpand(world, rules, q.requester, docById.get(id)!, expandPaths);
      const actual = expandedIdsOf(view.json);
      if (!sameJson(canonical(actual), canonical(expected))) out.push({ what: `view ${id} expand`, query: q, expected, got: actual });
    }
  }
  return out;
}

/** A mismatch report a person can act on: the rules, the query, the rows involved. */
export function describeMismatches(batch: Batch, mismatches: Mismatch[], limit = 12): string {
  const lines = [`${mismatches.length} mismatch(es); rules:`, `    ${describeRules(batch.rules)}`];
  const rowIds = new Set<string>();
  for (const m of mismatches.slice(0, limit)) {
    const q = m.query;
    lines.push(
      `- ${m.what} as ${describeRequester(q.requester)}`,
      `    filter: ${q.filter ? renderExpr(q.filter) : '(none)'}   sort: ${q.sortText || '(none)'}   expand: ${q.expand || '(none)'}`,
      `    expected: ${JSON.stringify(m.expected)}`,
      `    got:      ${JSON.stringify(m.got)}`,
    );
    if (m.note) lines.push(`    ${m.note}`);
    for (const id of `${m.note ?? ''} ${JSON.stringify(m.what)}`.match(/doc\d{12}/g) ?? []) rowIds.add(id);
  }
  if (mismatches.length > limit) lines.push(`… and ${mismatches.length - limit} more`);
  const rows = batch.world.docs.filter((d) => rowIds.has(d.id)).slice(0, 10);
  if (rows.length > 0) lines.push('rows involved:', ...rows.map((d) => `    ${JSON.stringify(d)}`));
  lines.push('users:', ...batch.world.users.map((u) => `    ${JSON.stringify(u)}`), 'teams:', ...batch.world.teams.map((t) => `    ${JSON.stringify(t)}`));
  return lines.join('\n');
}
