/**
 * The filter language's syntax tree. Parentheses leave no node of their own: `a && b || c` is
 * or(and(a, b), c), which is what PocketBase means, since it writes its flat join list into SQL
 * where AND binds tighter than OR.
 */

export type Operator =
  | '='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | '~'
  | '!~'
  | '?='
  | '?!='
  | '?>'
  | '?>='
  | '?<'
  | '?<='
  | '?~'
  | '?!~';

export const OPERATORS: ReadonlySet<string> = new Set<Operator>([
  '=', '!=', '>', '>=', '<', '<=', '~', '!~',
  '?=', '?!=', '?>', '?>=', '?<', '?<=', '?~', '?!~',
]);

/** `pos` is the 0-based offset (UTF-16 units) of the node's first character in the filter text. */
export interface IdentifierTerm {
  readonly type: 'identifier';
  readonly name: string;
  readonly pos: number;
}

export interface TextTerm {
  readonly type: 'text';
  readonly value: string;
  readonly pos: number;
}

export interface NumberTerm {
  readonly type: 'number';
  readonly value: number;
  readonly raw: string;
  readonly pos: number;
}

export interface CallTerm {
  readonly type: 'call';
  readonly name: string;
  readonly args: readonly Term[];
  readonly pos: number;
}

export type Term = IdentifierTerm | TextTerm | NumberTerm | CallTerm;

export interface Comparison {
  readonly type: 'comparison';
  readonly left: Term;
  readonly op: Operator;
  readonly right: Term;
  readonly pos: number;
}

export interface Logical {
  readonly type: 'and' | 'or';
  /** two or more */
  readonly items: readonly Expr[];
  readonly pos: number;
}

export type Expr = Comparison | Logical;

/** True for the any-of operators (`?=` …). */
export function isAnyOfOperator(op: Operator): boolean {
  return op.startsWith('?');
}

/** Every identifier of an expression, function arguments included, in source order. */
export function listIdentifiers(expr: Expr): IdentifierTerm[] {
  const out: IdentifierTerm[] = [];
  const visitTerm = (t: Term): void => {
    if (t.type === 'identifier') out.push(t);
    else if (t.type === 'call') t.args.forEach(visitTerm);
  };
  const stack: Expr[] = [expr];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.type === 'comparison') {
      visitTerm(e.left);
      visitTerm(e.right);
    } else for (let i = e.items.length - 1; i >= 0; i--) stack.push(e.items[i]!);
  }
  return out.sort((a, b) => a.pos - b.pos);
}
