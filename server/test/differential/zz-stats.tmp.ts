import fc from 'fast-check';
import { batchArb } from './generators.ts';
import { expectList, expectView } from './reference.ts';
import { renderExpr } from './expr.ts';
const batches = fc.sample(batchArb(40), { numRuns: 25, seed: 1 });
const st: Record<string, number> = {};
const inc = (k: string) => (st[k] = (st[k] ?? 0) + 1);
let sizes: number[] = [];
for (const b of batches) {
  for (const q of b.queries) {
    const r = expectList(b.world, b.rules, q.requester, q.filter, q.sort);
    inc('status ' + r.status);
    if (r.status === 200) { const n = r.ids.length; inc(n === 0 ? 'ids 0' : n === 30 ? 'ids all' : 'ids some'); }
    const f = q.filter ? renderExpr(q.filter) : '';
    for (const k of ['readers.', 'tags:each', '?', '~', '||', '&&', 'owner.', 'team.', ':length', '(']) if (f.includes(k)) inc('filter has ' + k);
    for (const id of q.probes) inc('view ' + expectView(b.world, b.rules, q.requester, id));
    inc('req ' + q.requester.kind);
  }
  const lr = b.rules.docs.listRule; inc('listRule ' + (lr === null ? 'null' : lr === '' ? 'empty' : 'expr'));
}
console.log(st);
const st2: Record<string, number> = {};
for (const b of batches) for (const q of b.queries) {
  const r1 = expectList(b.world, b.rules, { kind: 'superuser' }, q.filter, []);
  const r2 = expectList(b.world, b.rules, q.requester, null, []);
  const k = (r: any) => r.status !== 200 ? 'st' + r.status : r.ids.length === 0 ? '0' : r.ids.length === 30 ? 'all' : 'some';
  st2['filterOnly ' + k(r1)] = (st2['filterOnly ' + k(r1)] ?? 0) + 1;
  st2['ruleOnly ' + k(r2)] = (st2['ruleOnly ' + k(r2)] ?? 0) + 1;
}
console.log(st2);
