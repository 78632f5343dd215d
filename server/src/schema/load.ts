/**
 * Schema file → Schema. Every check runs before failing, so one SchemaError lists every problem,
 * each with its JSON pointer (collections are always `collections/<index>`, array file or not).
 */
import { readFileSync } from 'node:fs';
import { checkFields, checkCollectionNames, createOptionContext } from './check-fields.ts';
import { checkIndexes, checkRuleReferences, checkRules, type CheckRuleCompiles } from './check-rules.ts';
import { checkCollectionShape } from './check-shape.ts';
import { getFieldType } from './fields/registry.ts';
import { parseJsonText } from './json-syntax.ts';
import { buildSchema, type CollectionModel, type Schema } from './model.ts';
import { assignIdentities, normalizeCollection, type SourcedCollection } from './normalize.ts';
import { ProblemSink } from './problems.ts';
import { checkReservedNames, type ReservedNames } from './reserved-names.ts';
import { importSchemaModule, isTypeScriptSchemaFile } from './schema-module.ts';
import { SchemaError } from './schema-error.ts';
import { adoptSuperusersCollection, listBuiltinCollections, SUPERUSERS_NAME } from './system-collections.ts';
import { reportViewQueries, resolveViewCollections, type CheckViewQueries } from './view-collections.ts';

export interface LoadSchemaOptions {
  /** Check view queries against SQLite (db/migrate/view-check.ts); left out, views are only read, not run. */
  checkViewQueries?: CheckViewQueries;
  /** Compile every rule with the request-time compiler (rules/check-rule-compiles.ts); left out, only the names rules read are checked. */
  checkRuleCompiles?: CheckRuleCompiles;
  /** Names the database keeps for itself beside the collections (reserved-names.ts: PostgreSQL's `_logs`); left out, none. */
  reservedNames?: ReservedNames;
}

const TOP_LEVEL_KEYS = ['$schema', 'collections'];

/** Read and load a JSON schema file; throws SchemaError (also for unreadable files and invalid JSON). */
export function loadSchemaFile(path: string, opts: LoadSchemaOptions = {}): Schema {
  if (isTypeScriptSchemaFile(path)) {
    throw new SchemaError(path, [{ path: '', message: 'a TypeScript schema file is imported, which is asynchronous: load it with loadSchemaSource (it reads JSON files too)' }]);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SchemaError(path, [{ path: '', message: `cannot read the schema file: ${(err as Error).message}` }]);
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const { line, column, message } = parsed.problem;
    throw new SchemaError(path, [{ path: '', message: `invalid JSON at line ${line}, column ${column}: ${message}` }]);
  }
  return loadSchema(parsed.value, path, opts);
}

/** Load a schema file of either kind: JSON, or a TypeScript module (`.ts`/`.mts`) exporting the schema. Throws SchemaError. */
export async function loadSchemaSource(path: string, opts: LoadSchemaOptions = {}): Promise<Schema> {
  if (!isTypeScriptSchemaFile(path)) return loadSchemaFile(path, opts);
  return loadSchema(await importSchemaModule(path), path, opts);
}

/** The collections array of either file form, or a problem. */
function readCollectionList(input: unknown, sink: ProblemSink): unknown[] {
  if (Array.isArray(input)) return input;
  if (typeof input !== 'object' || input === null) {
    sink.add([], 'a schema file is an array of collections or an object with a "collections" array');
    return [];
  }
  const obj = input as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!TOP_LEVEL_KEYS.includes(key)) sink.add([key], `${JSON.stringify(key)} is not a top-level key (only "$schema" and "collections")`);
  }
  if (obj['$schema'] !== undefined && typeof obj['$schema'] !== 'string') sink.add(['$schema'], 'must be a string');
  if (!Array.isArray(obj['collections'])) {
    sink.add(['collections'], obj['collections'] === undefined ? 'missing (required)' : 'must be an array of collections');
    return [];
  }
  return obj['collections'];
}

/** Put the built-in system collections in: a file's exact system copy is adopted, anything else is an error. */
function mergeBuiltins(collections: SourcedCollection[], sink: ProblemSink): CollectionModel[] {
  const out = collections.map((c) => c.model);
  for (const builtin of listBuiltinCollections()) {
    const i = collections.findIndex((c) => c.model.name.toLowerCase() === builtin.name.toLowerCase());
    if (i < 0) {
      out.unshift(builtin);
      continue;
    }
    const fromFile = collections[i]!;
    if (fromFile.model.type !== builtin.type || !fromFile.model.system || fromFile.model.id !== builtin.id) {
      sink.add([...fromFile.path, 'name'], `${JSON.stringify(builtin.name)} is a built-in system collection; remove it from the file (an exported system copy is accepted)`);
    } else if (builtin.name === SUPERUSERS_NAME) out[i] = adoptSuperusersCollection(fromFile.model);
  }
  return out;
}

/** Load a parsed schema file (either form). `sourceName` names it in the error message. */
export function loadSchema(input: unknown, sourceName = 'schema', opts: LoadSchemaOptions = {}): Schema {
  const sink = new ProblemSink(input);
  const list = readCollectionList(input, sink);
  const sourced: SourcedCollection[] = [];
  list.forEach((raw, i) => {
    checkCollectionShape(raw, ['collections', i], sink);
    const c = normalizeCollection(raw, ['collections', i]);
    if (c) sourced.push(c);
  });
  assignIdentities(sourced);
  // the built-ins take part in name checks and relation targets like any collection
  const builtins = listBuiltinCollections()
    .filter((b) => !sourced.some((c) => c.model.name.toLowerCase() === b.name.toLowerCase()))
    .map((model) => ({ model, path: ['collections'], handWritten: false, fieldPaths: new Map(), declaredNames: [] }) as SourcedCollection);
  const all = [...sourced, ...builtins];
  checkCollectionNames(all, sink);
  if (opts.reservedNames) checkReservedNames(sourced, opts.reservedNames, sink);
  const unreadViews = resolveViewCollections(all, sink);
  for (const c of sourced) {
    checkFields(all, c, sink);
    checkRules(c, sink);
  }
  checkIndexes(sourced, sink);
  for (const c of sourced) {
    const ctx = createOptionContext(all, c);
    c.model.fields = c.model.fields.map((f) => getFieldType(f.type)?.resolveOptions?.(f, ctx) ?? f);
  }
  const models = mergeBuiltins(sourced, sink);
  // SQLite sees the queries only once everything else holds: the tables they read are then known good
  const verdicts = sink.size === 0 && opts.checkViewQueries ? opts.checkViewQueries(models) : new Map();
  reportViewQueries(sourced, unreadViews, verdicts, sink);
  const opaque = sourced.filter((c) => unreadViews.has(c) || verdicts.get(c.model.id)?.refused || (c.model.type === 'view' && c.model.fields.length === 0));
  checkRuleReferences(sourced, buildSchema(models), new Set(opaque.map((c) => c.model)), sink, opts.checkRuleCompiles);
  if (sink.size > 0) throw new SchemaError(sourceName, sink.list(), sink.places());
  return buildSchema(models);
}
