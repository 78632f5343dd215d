/**
 * Every name a rule reads, checked against the loaded schema: field paths (relations, `x_via_y`
 * back-relations, JSON paths), `@collection.<name>`, `@request.auth.*` against the fields of the auth
 * collections, `@request.body.*` against the collection's own fields, and where each modifier may go.
 * PocketBase refuses only what its resolver refuses with an empty request; Galley also refuses the
 * `@request.auth.*`/`@request.body.*` names and the modifiers that would quietly read NULL or be ignored.
 * Hidden fields are fine: rules see every field.
 */
import type { IdentifierTerm } from '../query/ast.ts';
import { listIdentifiers } from '../query/ast.ts';
import { MAX_RELATION_DEPTH } from '../query/limits.ts';
import { resolveMacro } from '../query/macros.ts';
import { parseFilter } from '../query/parser.ts';
import { formatSuggestion } from './did-you-mean.ts';
import { getFieldType } from './fields/registry.ts';
import type { CollectionModel, FieldModel, Schema } from './model.ts';
import { isRecordIdentifierShape } from '../query/identifier-shapes.ts';

const MODIFIERS = ['isset', 'changed', 'each', 'length', 'lower'];
/** wire: read from the auth record itself (record_field_resolver_runner.go plainRequestAuthFields). */
const PLAIN_AUTH_FIELDS = ['id', 'collectionId', 'collectionName', 'email', 'emailVisibility', 'verified'];
const REQUEST_ROOTS = ['@request.auth.*', '@request.body.*', '@request.query.*', '@request.headers.*', '@request.method', '@request.context'];
const VIA = /^(\w+)_via_(\w+)$/;

export interface RulePathContext {
  readonly schema: Schema;
  /** Collections whose fields are not known (a view whose query could not be read): anything goes past them. */
  readonly opaque: ReadonlySet<CollectionModel>;
  /** Every name the file declares per collection, fields of an unknown type included (reported on the field). */
  readonly declared?: ReadonlyMap<CollectionModel, ReadonlySet<string>>;
}

/** A name the file declares but the model left out (an unknown field type): its own problem says why. */
const isDeclaredOnly = (ctx: RulePathContext, c: CollectionModel, name: string): boolean => ctx.declared?.get(c)?.has(name) ?? false;

/** Why a walk stopped: the message names the collection and the part that is wrong. */
type Walk = { ok: true } | { ok: false; message: string };
const OK: Walk = { ok: true };
const fail = (message: string): Walk => ({ ok: false, message });

function splitLast(prop: string): { name: string; modifier: string } {
  const parts = prop.split(':');
  return parts.length === 2 ? { name: parts[0]!, modifier: parts[1]! } : { name: prop, modifier: '' };
}

/** select, file and relation fields (single or multiple) take `:each` and `:length` (as rules/resolve-path.ts). */
function isMultiValuerField(field: FieldModel): boolean {
  const type = getFieldType(field.type);
  return !!type && (type.filterKind(field) === 'multi' || Boolean(type.relation?.(field)) || typeof field.maxSelect === 'number');
}

/** `coll_via_field` names that lead back to `c`: the candidates of a misspelt back-relation. */
function listBackRelationNames(ctx: RulePathContext, c: CollectionModel): string[] {
  return ctx.schema.collections.flatMap((other) =>
    other.fields
      .filter((f) => {
        const rel = getFieldType(f.type)?.relation?.(f);
        return rel && ctx.schema.findCollection(rel.collectionId)?.id === c.id;
      })
      .map((f) => `${other.name}_via_${f.name}`),
  );
}

function describeUnknownField(ctx: RulePathContext, c: CollectionModel, name: string): string {
  const candidates = [...c.fields.map((f) => f.name), ...listBackRelationNames(ctx, c)];
  return `collection ${JSON.stringify(c.name)} has no field ${JSON.stringify(name)}${formatSuggestion(name, candidates)}`;
}

/** A modifier on the last field of a path through collections (never a request value). */
function checkFieldModifier(c: CollectionModel, field: FieldModel, modifier: string): Walk {
  if (modifier === '' || modifier === 'lower') return OK;
  if (!MODIFIERS.includes(modifier)) return fail(`unknown modifier ":${modifier}" (known: ${MODIFIERS.map((m) => `:${m}`).join(' ')})`);
  const where = `the field ${JSON.stringify(field.name)} of ${JSON.stringify(c.name)}`;
  if (modifier === 'isset') return fail(`":isset" only applies to @request.* values, not to ${where}`);
  if (modifier === 'changed') return fail(`":changed" only applies to @request.body.<field>, not to ${where}`);
  if (!isMultiValuerField(field)) return fail(`":${modifier}" only applies to select, file and relation fields, not to ${where} (${field.type})`);
  return OK;
}

/** Walk `props` from collection `c` as the resolver does (rules/resolve-path.ts walkFieldPath). */
function walkPath(ctx: RulePathContext, start: CollectionModel, props: readonly string[]): Walk {
  let c = start;
  for (let i = 0; i < props.length; i++) {
    if (ctx.opaque.has(c)) return OK;
    const prop = props[i]!;
    if (i === props.length - 1) {
      const { name, modifier } = splitLast(prop);
      const field = ctx.schema.findField(c, name);
      if (!field && isDeclaredOnly(ctx, c, name)) return OK;
      if (!field && VIA.test(name)) return fail(`a back-relation names records, so a field must follow it (${name}.<field>)`);
      if (!field) return fail(describeUnknownField(ctx, c, name));
      return getFieldType(field.type) ? checkFieldModifier(c, field, modifier) : OK;
    }
    if (prop.includes(':')) return fail(`a modifier may only end a path (${JSON.stringify(prop)})`);
    const field = ctx.schema.findField(c, prop);
    const type = field ? getFieldType(field.type) : undefined;
    if ((field && !type) || (!field && isDeclaredOnly(ctx, c, prop))) return OK; // an unknown field type is reported on the field itself
    const kind = field ? type!.filterKind(field) : null;
    if (kind === 'json' || kind === 'geo') return OK; // the rest is a path inside the JSON value
    if (i >= MAX_RELATION_DEPTH) return fail(`too many relation levels at ${JSON.stringify(prop)} (at most ${MAX_RELATION_DEPTH})`);
    if (!field) {
      const m = VIA.exec(prop);
      if (!m) return fail(describeUnknownField(ctx, c, prop));
      const back = ctx.schema.findCollection(m[1]!);
      if (!back) return fail(`${JSON.stringify(prop)}: no collection ${JSON.stringify(m[1])}${formatSuggestion(m[1]!, ctx.schema.collections.map((x) => x.name))}`);
      const backField = ctx.schema.findField(back, m[2]!);
      if (!backField) return fail(`${JSON.stringify(prop)}: ${describeUnknownField(ctx, back, m[2]!)}`);
      const rel = getFieldType(backField.type)?.relation?.(backField);
      if (!rel) return fail(`${JSON.stringify(prop)}: the field ${JSON.stringify(backField.name)} of ${JSON.stringify(back.name)} is not a relation`);
      if (ctx.schema.findCollection(rel.collectionId)?.id !== c.id) {
        return fail(`${JSON.stringify(prop)}: the field ${JSON.stringify(backField.name)} of ${JSON.stringify(back.name)} does not point at ${JSON.stringify(c.name)}`);
      }
      c = back;
      continue;
    }
    const rel = type!.relation?.(field);
    if (!rel) return fail(`the field ${JSON.stringify(prop)} of ${JSON.stringify(c.name)} is not a relation (${field.type}), so nothing follows it`);
    const target = ctx.schema.findCollection(rel.collectionId);
    if (!target) return OK; // a relation to a missing collection is reported on the field itself
    c = target;
  }
  return OK;
}

/** `@request.query.x`, `@request.headers.x`, plain `@request.auth.x`: only `:isset` and `:lower` apply. */
function checkStaticModifier(prop: string): Walk {
  const { modifier } = splitLast(prop);
  if (modifier === '' || modifier === 'isset' || modifier === 'lower') return OK;
  if (!MODIFIERS.includes(modifier)) return fail(`unknown modifier ":${modifier}"`);
  return fail(`":${modifier}" does not apply to this request value (only :isset and :lower do)`);
}

/** `@request.auth.<path>`: the auth collection is known only at request time, so any auth collection may answer. */
function checkAuthPath(ctx: RulePathContext, props: readonly string[]): Walk {
  const first = splitLast(props[0]!).name;
  if (props.length === 1 && PLAIN_AUTH_FIELDS.includes(first)) return checkStaticModifier(props[0]!);
  const auths = ctx.schema.collections.filter((c) => c.type === 'auth');
  const having = auths.filter((c) => ctx.opaque.has(c) || ctx.schema.findField(c, props.length === 1 ? first : props[0]!));
  if (having.length === 0) {
    const names = [...new Set([...PLAIN_AUTH_FIELDS, ...auths.flatMap((c) => c.fields.map((f) => f.name))])];
    return fail(`no auth collection has a field ${JSON.stringify(first)}${formatSuggestion(first, names)}`);
  }
  let firstProblem: Walk | undefined;
  for (const c of having) {
    const walk = walkPath(ctx, c, props);
    if (walk.ok) return OK;
    firstProblem ??= walk;
  }
  return firstProblem!;
}

/** `@request.body.<field>[:modifier]` or `@request.body.<relation>.<path>`, against the collection's own fields. */
function checkBodyPath(ctx: RulePathContext, c: CollectionModel, props: readonly string[]): Walk {
  if (ctx.opaque.has(c)) return OK;
  const { name, modifier } = splitLast(props[0]!);
  const field = ctx.schema.findField(c, name);
  if (!field && isDeclaredOnly(ctx, c, name)) return OK;
  if (!field) {
    return fail(`collection ${JSON.stringify(c.name)} has no field ${JSON.stringify(name)}, so @request.body.${name} is never set${formatSuggestion(name, c.fields.map((f) => f.name))}`);
  }
  const type = getFieldType(field.type);
  if (!type) return OK;
  if (props.length > 1) {
    if (modifier !== '') return fail(`a modifier may only end a path (${JSON.stringify(props[0])})`);
    const kind = type.filterKind(field);
    if (kind === 'json' || kind === 'geo') return OK;
    const rel = type.relation?.(field);
    if (!rel) return fail(`the field ${JSON.stringify(name)} of ${JSON.stringify(c.name)} is not a relation (${field.type}), so nothing follows it`);
    const target = ctx.schema.findCollection(rel.collectionId);
    return target ? walkPath(ctx, target, props.slice(1)) : OK;
  }
  if (modifier === '' || modifier === 'isset' || modifier === 'changed' || modifier === 'lower') return OK;
  if (!MODIFIERS.includes(modifier)) return fail(`unknown modifier ":${modifier}"`);
  if (!isMultiValuerField(field)) {
    return fail(`":${modifier}" only applies to select, file and relation fields, not to the field ${JSON.stringify(name)} of ${JSON.stringify(c.name)} (${field.type})`);
  }
  return OK;
}

function checkIdentifier(ctx: RulePathContext, c: CollectionModel, name: string): Walk {
  if (!isRecordIdentifierShape(name)) {
    if (name.startsWith('@request')) return fail(`not a request value a rule can read (${REQUEST_ROOTS.join(', ')})`);
    if (name.startsWith('@collection')) return fail('write @collection.<name>.<field> (or @collection.<name>:<alias>.<field>)');
    return fail('not a field path');
  }
  const props = name.split('.');
  if (name.startsWith('@request.')) {
    if (props[1] === 'auth') return checkAuthPath(ctx, props.slice(2));
    if (props[1] === 'body') return checkBodyPath(ctx, c, props.slice(2));
    if (props[1] === 'query' || props[1] === 'headers') return checkStaticModifier(props[props.length - 1]!);
    return OK; // @request.method, @request.context
  }
  if (name.startsWith('@collection.')) {
    const collName = props[1]!.split(':')[0]!;
    const target = ctx.schema.findCollection(collName);
    if (!target) return fail(`no collection ${JSON.stringify(collName)}${formatSuggestion(collName, ctx.schema.collections.map((x) => x.name))}`);
    return walkPath(ctx, target, props.slice(2));
  }
  return walkPath(ctx, c, props);
}

/** wire: `null`/`true`/`false` are literals when no field answers to the name; macros are values. */
function isLiteralName(ctx: RulePathContext, c: CollectionModel, term: IdentifierTerm): boolean {
  if (resolveMacro(term.name, new Date(0)) !== undefined) return true;
  return ['null', 'true', 'false'].includes(term.name.toLowerCase()) && !ctx.schema.findField(c, term.name);
}

/**
 * Problems with the names one rule of `c` reads, one message per name (`"auther" (at 0): collection
 * "posts" has no field "auther"; did you mean "author"?`). A rule that does not parse gives none here.
 */
export function listRulePathProblems(ctx: RulePathContext, c: CollectionModel, rule: string): string[] {
  let identifiers: IdentifierTerm[];
  try {
    identifiers = listIdentifiers(parseFilter(rule));
  } catch {
    return []; // reported by checkRules
  }
  const problems: string[] = [];
  for (const term of identifiers) {
    if (isLiteralName(ctx, c, term)) continue;
    const walk = checkIdentifier(ctx, c, term.name);
    if (!walk.ok) problems.push(`${JSON.stringify(term.name)} (at ${term.pos}): ${walk.message}`);
  }
  return problems;
}
