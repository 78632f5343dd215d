/** Rules must parse and read only what the schema has; indexes must parse and name their own collection's fields. */
import { parseFilter } from '../query/parser.ts';
import { checkAuthMethods } from './check-auth-methods.ts';
import { checkOAuth2Options } from './check-oauth2.ts';
import { listRulePathProblems } from './check-rule-paths.ts';
import { explainIndexProblem, findSingleColumnUniqueIndex, parseIndexDefinition } from './index-sql.ts';
import type { CollectionModel, RuleName, Schema } from './model.ts';
import type { SourcedCollection } from './normalize.ts';
import type { ProblemSink } from './problems.ts';

type Path = Array<string | number>;
const RULES: RuleName[] = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'];

function checkRuleText(rule: string | null, path: Path, sink: ProblemSink): void {
  if (rule === null || rule === '') return;
  try {
    parseFilter(rule);
  } catch (err) {
    const position = (err as { position?: unknown }).position;
    const message = err instanceof Error ? err.message : String(err);
    const where = typeof position === 'number' && !/ at \d+$/.test(message) ? ` at ${position}` : '';
    sink.add(path, `invalid rule: ${message}${where}`);
  }
}

export function checkRules(c: SourcedCollection, sink: ProblemSink): void {
  const m = c.model;
  for (const rule of RULES) {
    checkRuleText(m[rule], [...c.path, rule], sink);
    if (m.type === 'view' && rule !== 'listRule' && rule !== 'viewRule' && m[rule] !== null) {
      sink.add([...c.path, rule], 'view collections are read-only: this rule must be null');
    }
  }
  if (m.type === 'view' && (m.viewQuery ?? '').trim() === '') sink.add([...c.path, 'viewQuery'], 'a view collection needs a SELECT query');
  const auth = m.auth;
  if (!auth) return;
  checkRuleText(auth.authRule, [...c.path, 'authRule'], sink);
  checkRuleText(auth.manageRule, [...c.path, 'manageRule'], sink);
  checkRuleText(auth.mfa.rule, [...c.path, 'mfa', 'rule'], sink);
  checkAuthMethods(c, sink);
  if (auth.mfa.enabled && auth.mfa.duration < 10) sink.add([...c.path, 'mfa', 'duration'], 'must be from 10 to 86400 when MFA is enabled');
  if (auth.otp.enabled && auth.otp.duration < 10) sink.add([...c.path, 'otp', 'duration'], 'must be from 10 to 86400 when OTP is enabled');
  if (auth.otp.enabled && auth.otp.length < 4) sink.add([...c.path, 'otp', 'length'], 'must be at least 4 when OTP is enabled');
  const names = auth.oauth2.providers.map((p) => p['name']);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) sink.add([...c.path, 'oauth2', 'providers', i, 'name'], `duplicate provider ${JSON.stringify(n)}`);
  });
  checkOAuth2Options(c, sink);
  if (auth.passwordAuth.enabled) {
    // wire: PocketBase's checkIdentityFields answers on the list itself, for its first bad entry
    const path = [...c.path, 'passwordAuth', 'identityFields'];
    for (const name of auth.passwordAuth.identityFields) {
      if (!m.fields.some((f) => f.name === name)) sink.add(path, `${JSON.stringify(name)} is not a field of this collection`, 'validation_missing_field');
      else if (!findSingleColumnUniqueIndex(m.indexes, name)) sink.add(path, `${JSON.stringify(name)} needs a UNIQUE index of its own to be an identity field`, 'validation_missing_unique_constraint');
      else continue;
      break;
    }
  }
}

/**
 * Compiles one rule with the request-time filter compiler (rules/ hands it in: schema/ may not import it)
 * with an empty request, as PocketBase does when it saves a collection; returns why it fails, or null.
 */
export type CheckRuleCompiles = (schema: Schema, collection: CollectionModel, rule: string) => string | null;

/** Every rule of a collection with its path (an auth collection adds authRule, manageRule and mfa.rule). */
export function listRuleTexts(m: CollectionModel): Array<[Path, string | null]> {
  const out: Array<[Path, string | null]> = RULES.map((r) => [[r], m[r]]);
  if (m.auth) out.push([['authRule'], m.auth.authRule], [['manageRule'], m.auth.manageRule], [['mfa', 'rule'], m.auth.mfa.rule]);
  return out;
}

/**
 * Every rule against the whole loaded schema: the names it reads (check-rule-paths.ts), then, when those
 * hold, the real compiler (only when nothing else is wrong). `opaque` collections (views whose query could
 * not be read) have unknown fields.
 */
export function checkRuleReferences(
  sourced: readonly SourcedCollection[],
  schema: Schema,
  opaque: ReadonlySet<CollectionModel>,
  sink: ProblemSink,
  compile?: CheckRuleCompiles,
): void {
  const declared = new Map(sourced.map((c) => [schema.findCollection(c.model.id) ?? c.model, new Set(c.declaredNames)]));
  const ctx = { schema, opaque, declared };
  // like SQLite's view check: the compiler sees the rules only once everything else holds (no follow-on errors)
  const compileNow = sink.size === 0 ? compile : undefined;
  for (const c of sourced) {
    const model = schema.findCollection(c.model.id) ?? c.model;
    if (opaque.has(model)) continue;
    for (const [key, rule] of listRuleTexts(model)) {
      if (rule === null || rule === '') continue;
      try {
        parseFilter(rule);
      } catch {
        continue; // reported by checkRules
      }
      const problems = listRulePathProblems(ctx, model, rule);
      for (const p of problems) sink.add([...c.path, ...key], p);
      const failure = problems.length === 0 && compileNow ? compileNow(schema, model, rule) : null;
      if (failure !== null) sink.add([...c.path, ...key], failure);
    }
  }
}

/** Index names are global in SQLite, so they are checked across the schema. */
export function checkIndexes(all: SourcedCollection[], sink: ProblemSink): void {
  const names = new Map<string, string>();
  for (const c of all) {
    if (c.model.type === 'view' && c.model.indexes.length > 0) sink.add([...c.path, 'indexes'], 'view collections cannot have indexes');
    c.model.indexes.forEach((sql, i) => {
      const path = [...c.path, 'indexes', i];
      const problem = explainIndexProblem(sql);
      const idx = parseIndexDefinition(sql);
      if (problem || !idx) return sink.add(path, problem ?? 'not an index statement');
      // the name first, as PocketBase checks it before what the index reads
      const other = names.get(idx.name.toLowerCase());
      if (other !== undefined) {
        const same = other.startsWith(`${c.path.join('/')}/`);
        sink.add(path, `index name ${JSON.stringify(idx.name)} is already used (${other}); index names are global`, same ? 'validation_duplicated_index_name' : 'validation_existing_index_name');
      } else names.set(idx.name.toLowerCase(), path.join('/'));
      if (idx.table.toLowerCase() !== c.model.name.toLowerCase()) {
        sink.add(path, `indexes table ${JSON.stringify(idx.table)}; an index of this collection must be ON \`${c.model.name}\``);
      }
      const known = [...c.model.fields.map((f) => f.name), ...c.declaredNames].map((n) => n.toLowerCase());
      for (const col of idx.columns) {
        if (!col.expression && !known.includes(col.name.toLowerCase())) {
          sink.add(path, `${JSON.stringify(col.name)} is not a field of ${JSON.stringify(c.model.name)}`);
        }
      }
    });
  }
}
