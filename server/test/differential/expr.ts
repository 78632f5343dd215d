/**
 * The filter expressions the differential test generates: a small AST, rendered to PocketBase filter text
 * (what Galley parses) and evaluated by reference.ts (what we expect). The AST is a tree; the renderer
 * writes the fewest parentheses the language needs, so `a || b && c` tests that AND binds tighter than OR.
 */

export type Op = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~';

export type Operand =
  /** a field path as written: `title`, `owner.name`, `readers.id`, `tags:each`, `@request.auth.role` */
  | { kind: 'field'; path: string }
  | { kind: 'text'; value: string; quote: "'" | '"' }
  | { kind: 'number'; value: number }
  /** `null` literal; spelling tests that the keyword is case-insensitive */
  | { kind: 'null'; spelling: string }
  | { kind: 'bool'; value: boolean; spelling: string };

export interface Cmp {
  kind: 'cmp';
  left: Operand;
  op: Op;
  /** the `?` (any-of) variant of the operator */
  any: boolean;
  right: Operand;
}

export type Expr =
  | Cmp
  | { kind: 'and'; left: Expr; right: Expr }
  | { kind: 'or'; left: Expr; right: Expr }
  /** parentheses the precedence does not need */
  | { kind: 'paren'; inner: Expr };

/** A rule as the schema holds it: `null` = superusers only, `''` = everyone, else an expression. */
export type Rule = null | '' | Expr;

export function renderOperand(o: Operand): string {
  switch (o.kind) {
    case 'field':
      return o.path;
    case 'text': {
      // fexpr unescapes only the quote that delimits the text
      const escaped = o.value.split(o.quote).join('\\' + o.quote);
      return o.quote + escaped + o.quote;
    }
    case 'number':
      return String(o.value);
    case 'null':
      return o.spelling;
    case 'bool':
      return o.spelling;
  }
}

export function renderCmp(c: Cmp): string {
  return `${renderOperand(c.left)} ${c.any ? '?' : ''}${c.op} ${renderOperand(c.right)}`;
}

export function renderExpr(e: Expr): string {
  switch (e.kind) {
    case 'cmp':
      return renderCmp(e);
    case 'paren':
      return `(${renderExpr(e.inner)})`;
    case 'or':
      return `${renderExpr(e.left)} || ${renderExpr(e.right)}`;
    case 'and': {
      const side = (x: Expr): string => (x.kind === 'or' ? `(${renderExpr(x)})` : renderExpr(x));
      return `${side(e.left)} && ${side(e.right)}`;
    }
  }
}

export function renderRule(r: Rule): string | null {
  return r === null || r === '' ? r : renderExpr(r);
}

/** Every sub-expression, smallest first (used to narrow a mismatch down to the part that differs). */
export function subExpressions(e: Expr): Expr[] {
  const out: Expr[] = [];
  const walk = (x: Expr): void => {
    if (x.kind === 'and' || x.kind === 'or') {
      walk(x.left);
      walk(x.right);
    } else if (x.kind === 'paren') walk(x.inner);
    out.push(x);
  };
  walk(e);
  return out.sort((a, b) => renderExpr(a).length - renderExpr(b).length);
}
