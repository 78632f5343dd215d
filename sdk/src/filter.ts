/**
 * Filters built from values, never by pasting them into the text: the `filter` tag and `where({...})` both
 * bind every value as a `{:name}` parameter and let the `pocketbase` SDK's own `filter()` quote it (strings
 * JSON-escaped, dates in PocketBase's format, null as null), so a value can never end or extend the expression.
 */
import PocketBase from 'pocketbase';
import type { WhereInput } from './types/query.ts';
import type { AnySchema, CollectionByName } from './types/schema.ts';

/** A filter expression string; the type parameter only records which record type it was written for. */
export type Filter<_Record = unknown> = string & { readonly __galleyFilter?: _Record };

const bind = (raw: string, params: Record<string, unknown>): string => PocketBase.prototype.filter(raw, params);

/** `` filter`status = ${s} && created > ${d}` ``: each `${}` is bound as a parameter, never spliced in. */
export function filter<R = unknown>(strings: TemplateStringsArray, ...values: unknown[]): Filter<R> {
  const params: Record<string, unknown> = {};
  let raw = strings[0]!;
  values.forEach((value, i) => {
    params[`galley${i}`] = value;
    raw += `{:galley${i}}${strings[i + 1]}`;
  });
  return bind(raw, params);
}

/** wire: PocketBase's filter operators, by the names `where()` takes. */
const OPERATORS: Record<string, string> = {
  eq: '=',
  ne: '!=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: '~',
  notLike: '!~',
  anyEq: '?=',
  anyNe: '?!=',
  anyGt: '?>',
  anyGte: '?>=',
  anyLt: '?<',
  anyLte: '?<=',
  anyLike: '?~',
  anyNotLike: '?!~',
};

const KEY = /^[\w.@:]+$/;

/** The conditions `where` takes: checked against a collection when its schema and name are given. */
export type WhereArg<S, N extends string> = S extends AnySchema ? Record<string, unknown> : WhereInput<S, CollectionByName<S, N>>;

/**
 * `where({ status: 'published', views: { gt: 10 }, 'author.name': { like: 'x' }, tag: { in: ['a', 'b'] } })` →
 * one filter string; keys are joined with `&&`, `$or: [{…}, {…}]` with `||`; an `undefined` value is skipped.
 * `where<typeof schema, 'posts'>({...})` checks the keys and values against that collection.
 */
export function compileWhere<S = AnySchema, N extends string = string>(conditions: WhereArg<S, N>): string {
  const params: Record<string, unknown> = {};
  const walk = (obj: Record<string, unknown>): string => {
    const terms: string[] = [];
    const param = (value: unknown): string => {
      const name = `w${Object.keys(params).length}`;
      params[name] = value;
      return `{:${name}}`;
    };
    for (const [key, value] of Object.entries(obj)) {
      if (value === undefined) continue;
      if (key === '$or') {
        const alternatives = (value as Record<string, unknown>[]).map(walk).filter((t) => t !== '');
        if (alternatives.length > 0) terms.push(`(${alternatives.join(' || ')})`);
        continue;
      }
      if (!KEY.test(key)) throw new TypeError(`where: ${JSON.stringify(key)} is not a field name`);
      const isOps = typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
      for (const [op, operand] of isOps ? Object.entries(value) : ([['eq', value]] as [string, unknown][])) {
        if (operand === undefined) continue;
        if (op === 'in' || op === 'notIn') {
          const list = (operand as unknown[]).map((v) => `${key} ${op === 'in' ? '=' : '!='} ${param(v)}`);
          // an empty `in` matches nothing, an empty `notIn` everything
          terms.push(list.length === 0 ? (op === 'in' ? '1 = 0' : '1 = 1') : `(${list.join(op === 'in' ? ' || ' : ' && ')})`);
          continue;
        }
        const symbol = OPERATORS[op];
        if (!symbol) throw new TypeError(`where: unknown operator ${JSON.stringify(op)} for ${key}`);
        terms.push(`${key} ${symbol} ${param(operand)}`);
      }
    }
    // comparisons bind tighter than &&, and every || group is already in parentheses
    return terms.join(' && ');
  };
  return bind(walk(conditions as Record<string, unknown>), params);
}
