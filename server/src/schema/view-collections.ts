/**
 * The loader's part for view collections: infer each view's fields from its query (views that read other
 * views after them), then merge the fields the file declares. A PocketBase export lists the inferred
 * fields itself, so a declared field of the same name and type is kept exactly as declared (its id and
 * options); a declared type is taken over only where the query leaves the type open (an expression).
 */
import type { CollectionModel, FieldModel } from './model.ts';
import type { SourcedCollection } from './normalize.ts';
import type { ProblemSink } from './problems.ts';
import { inferViewFields, type InferredField } from './view-fields.ts';
import { listReadTables } from './view-select.ts';
import { describeSqlPosition } from './view-sql-tokens.ts';

/** What SQLite says about one view query: `refused` when it does not take the SQL at all. */
export interface ViewQueryVerdict {
  message: string;
  refused: boolean;
}

/**
 * Optional check of the view queries against a real SQLite (db/ provides it): given every collection,
 * a verdict per view collection id whose query is wrong.
 */
export type CheckViewQueries = (collections: readonly CollectionModel[]) => Map<string, ViewQueryVerdict>;

/** Views in an order where each comes after the views it reads; a cycle is reported, its views skipped. */
export function sortViewsByReads<T extends { model: CollectionModel }>(views: readonly T[], onCycle?: (view: T, chain: string[]) => void): T[] {
  const byName = new Map(views.map((v) => [v.model.name.toLowerCase(), v]));
  const out: T[] = [];
  const state = new Map<T, 'visiting' | 'done'>();
  const visit = (v: T, chain: string[]): boolean => {
    if (state.get(v) === 'done') return true;
    if (state.get(v) === 'visiting') {
      onCycle?.(v, [...chain, v.model.name]);
      return false;
    }
    state.set(v, 'visiting');
    let ok = true;
    for (const name of listReadTables(v.model.viewQuery ?? '')) {
      const dep = byName.get(name);
      if (dep && dep !== v && !visit(dep, [...chain, v.model.name])) ok = false;
      if (dep === v) onCycle?.(v, [v.model.name, v.model.name]);
    }
    state.set(v, 'done');
    if (ok) out.push(v);
    return ok;
  };
  for (const v of views) visit(v, []);
  return out;
}

function mergeField(
  c: SourcedCollection,
  inferred: InferredField,
  declared: FieldModel | undefined,
  sink: ProblemSink,
  find: (idOrName: string) => CollectionModel | undefined,
): FieldModel {
  const idOf = (x: unknown) => find(String(x))?.id ?? String(x);
  if (!declared) return inferred.field;
  const path = c.fieldPaths.get(declared.name) ?? [...c.path, 'fields'];
  const { field } = inferred;
  if (declared.type !== field.type && inferred.strong) {
    sink.add([...path, 'type'], `the viewQuery makes ${JSON.stringify(field.name)} a ${field.type} field (from ${inferred.source}); declare it as ${field.type} or leave it out`);
    return field;
  }
  if (declared.name !== field.name) {
    sink.add([...path, 'name'], `the viewQuery names this column ${JSON.stringify(field.name)}`);
    return field;
  }
  if (declared.type === 'relation' && field.type === 'relation' && inferred.strong && idOf(declared['collectionId']) !== idOf(field['collectionId'])) {
    const target = find(String(field['collectionId']))?.name ?? String(field['collectionId']);
    sink.add([...path, 'collectionId'], `the viewQuery makes ${JSON.stringify(field.name)} a relation to ${JSON.stringify(target)} (from ${inferred.source})`);
  }
  return declared;
}

/**
 * Replace each view's fields with the inferred ones (merged with the declared). Problems with a declared
 * field go to the sink; a query that cannot be read is returned instead (view → message), so that the
 * loader can prefer SQLite's own words about it when it has them.
 */
export function resolveViewCollections(all: readonly SourcedCollection[], sink: ProblemSink): Map<SourcedCollection, string> {
  const unread = new Map<SourcedCollection, string>();
  const views = all.filter((c) => c.model.type === 'view');
  const byName = new Map(all.map((c) => [c.model.name.toLowerCase(), c.model]));
  const find = (x: string) => (all.find((c) => c.model.id === x) ?? all.find((c) => c.model.name.toLowerCase() === x.toLowerCase()))?.model;
  const cycles = new Set<SourcedCollection>();
  const ordered = sortViewsByReads(views, (v, chain) => {
    if (!cycles.has(v)) unread.set(v, `views read each other in a circle: ${chain.join(' → ')}`);
    cycles.add(v);
  });
  for (const c of ordered) {
    const query = c.model.viewQuery ?? '';
    if (query.trim() === '') continue; // reported by checkRules
    const result = inferViewFields(query, (name) => byName.get(name));
    if ('problem' in result) {
      const { message, offset } = result.problem;
      unread.set(c, offset === null ? message : `${message} ${describeSqlPosition(query, offset)}`);
      continue;
    }
    const declared = new Map(c.model.fields.map((f) => [f.name.toLowerCase(), f]));
    const columns = new Set(result.fields.map((f) => f.field.name.toLowerCase()));
    for (const f of c.model.fields) {
      if (columns.has(f.name.toLowerCase())) continue;
      const path = c.fieldPaths.get(f.name) ?? [...c.path, 'fields'];
      sink.add([...path, 'name'], `${JSON.stringify(f.name)} is not a column of the viewQuery (its columns: ${result.fields.map((x) => x.field.name).join(', ')})`);
    }
    c.model.fields = result.fields.map((inferred) => mergeField(c, inferred, declared.get(inferred.field.name.toLowerCase()), sink, find));
  }
  return unread;
}

/** The loader's last word on view queries: SQLite's refusal first, then what reading the query found. */
export function reportViewQueries(
  all: readonly SourcedCollection[],
  unread: Map<SourcedCollection, string>,
  verdicts: Map<string, ViewQueryVerdict>,
  sink: ProblemSink,
): void {
  for (const c of all.filter((x) => x.model.type === 'view')) {
    const verdict = verdicts.get(c.model.id);
    const message = verdict?.refused ? verdict.message : (unread.get(c) ?? verdict?.message);
    if (message !== undefined) sink.add([...c.path, 'viewQuery'], message, 'validation_invalid_view_query');
  }
}
