/**
 * Filter functions: `geoDistance(lonA, latA, lonB, latB)` and `strftime(format, time?, modifiers…)`.
 * wire: argument rules of PocketBase's tools/search/token_functions.go.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { GalleyError } from '../errors.ts';
import type { CallTerm, Term } from './ast.ts';
import type { FilterDialect } from './dialect.ts';
import type { SqlOperand } from './resolver.ts';

const MAX_STRFTIME_ARGS = 10;

type ResolveTerm = (term: Term) => SqlOperand;

function fail(call: CallTerm, message: string): GalleyError {
  return new GalleyError('invalid', `${call.name}(): ${message} at ${call.pos}`);
}

/** Guards of the arguments travel with the result, so a function cannot read around email visibility. */
function mergeGuards(args: readonly SqlOperand[]): Expression<SqlBool> | undefined {
  const guards = args.flatMap((a) => (a.guard ? [a.guard] : []));
  if (guards.length === 0) return undefined;
  return guards.length === 1 ? guards[0] : sql<SqlBool>`(${sql.join(guards, sql` AND `)})`;
}

function compileGeoDistance(call: CallTerm, resolve: ResolveTerm, dialect: FilterDialect): SqlOperand {
  if (call.args.length !== 4) throw fail(call, `expected 4 arguments, got ${call.args.length}`);
  const args = call.args.map((arg, i) => {
    if (arg.type !== 'identifier' && arg.type !== 'number') throw fail(call, `argument ${i + 1} must be a field or a number`);
    return resolve(arg);
  });
  const [lonA, latA, lonB, latB] = args as [SqlOperand, SqlOperand, SqlOperand, SqlOperand];
  return {
    render: (map) => dialect.geoDistance(lonA.render(map), latA.render(map), lonB.render(map), latB.render(map)),
    values: args.flatMap((a) => a.values),
    // wire: compared with plain IS / IS NOT, and never all-of over multi-valued arguments
    nullFallback: 'disabled',
    guard: mergeGuards(args),
  };
}

function compileStrftime(call: CallTerm, resolve: ResolveTerm, dialect: FilterDialect): SqlOperand {
  const total = call.args.length;
  if (total < 1) throw fail(call, 'expected at least 1 argument');
  if (total > MAX_STRFTIME_ARGS) throw fail(call, `too many arguments (max ${MAX_STRFTIME_ARGS})`);
  const [formatArg, timeArg, ...modifierArgs] = call.args;
  if (formatArg!.type !== 'text') throw fail(call, 'the first argument must be a format text');
  if (timeArg && timeArg.type === 'call') throw fail(call, 'the second argument must be a text, number or field');
  modifierArgs.forEach((m, i) => {
    if (m.type !== 'text') throw fail(call, `modifier argument ${i + 3} must be a text`);
  });
  const format = resolve(formatArg!);
  const time = timeArg ? resolve(timeArg) : undefined;
  const modifiers = modifierArgs.map(resolve);
  const all = [format, ...(time ? [time] : []), ...modifiers];
  const build = (timeSql: Expression<unknown> | undefined, map?: (v: unknown) => unknown) =>
    dialect.strftime([format.render(map), ...(timeSql ? [timeSql] : []), ...modifiers.map((m) => m.render(map))]);
  return {
    render: (map) => build(time?.render(map), map),
    values: all.flatMap((a) => a.values),
    // wire: NULL results are normalised like empty text, so the COALESCE form is always used
    nullFallback: 'enforced',
    // wire: a multi-valued time argument makes the result multi-valued (all-of applies)
    multi: time?.multi ? { ...time.multi, value: build(time.multi.value) } : undefined,
    guard: mergeGuards(all),
  };
}

export function compileCall(call: CallTerm, resolve: ResolveTerm, dialect: FilterDialect): SqlOperand {
  if (call.name === 'geoDistance') return compileGeoDistance(call, resolve, dialect);
  if (call.name === 'strftime') return compileStrftime(call, resolve, dialect);
  throw new GalleyError('invalid', `unknown function ${JSON.stringify(call.name)} at ${call.pos}`);
}
