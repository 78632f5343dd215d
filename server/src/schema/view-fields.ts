/**
 * The fields of a view collection, inferred from its query as PocketBase does (core/view.go):
 * - a column named `id` is the text primary key;
 * - `count(…)` / `total(…)` is a number; `CAST(… AS type)` is a number, text or bool by the type;
 * - a plain reference to a collection's field (`p.author`, `title` of the main table) keeps that field's
 *   type and options under the column's name (relations stay relations, files stay files); a reference to
 *   another collection's `id` is a single relation to it;
 * - anything else is a json field.
 * Inferred by reading the SELECT, not by asking SQLite: the loader has no database (schema/ sits below db/)
 * and the result must be the same with or without one. SQLite still checks the query and its column names
 * where a database is at hand (db/migrate/view-check.ts).
 */
import { crc32 } from '../lib/ids.ts';
import type { CollectionModel, FieldModel } from './model.ts';
import { buildField, deriveFieldId } from './system-fields.ts';
import { RECORD_ID_PATTERN } from './fields/text.ts';
import { isKeyword, type SqlToken } from './view-sql-tokens.ts';
import { listReadTables, readColumnRef, readViewSelect, type SelectColumn, type TableRef, type ViewQueryProblem } from './view-select.ts';

/** An inferred field; `strong` when the query decides its type (else the file may declare another). */
export interface InferredField {
  field: FieldModel;
  strong: boolean;
  /** where the type comes from, for messages: `count(…)`, `posts.author`, … */
  source: string;
}

export type ViewInference = { fields: InferredField[] } | { problem: ViewQueryProblem };

/** Collections by lower-cased name; a view's fields must be inferred before another view reads them. */
export type FindSourceCollection = (name: string) => CollectionModel | undefined;

const NUMBER_CASTS = ['real', 'integer', 'int', 'decimal', 'numeric']; // wire: core/view.go's SQLite list
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** wire: PocketBase names a copied field `_clone_` + 4 random characters; here they come from the name. */
function buildCloneId(name: string): string {
  let n = crc32(`clone:${name}`);
  let out = '';
  for (let i = 0; i < 4; i++, n = Math.floor(n / 62)) out += ALPHABET[n % 62];
  return `_clone_${out}`;
}

function readCastType(expr: SqlToken[]): string | null {
  if (!isKeyword(expr[0], 'CAST') || expr[1]?.text !== '(' || expr.at(-1)?.text !== ')' || expr.at(-1)!.depth !== expr[1].depth) return null;
  const inner = expr.slice(2, -1);
  const as = inner.findLastIndex((t) => t.depth === expr[1]!.depth + 1 && isKeyword(t, 'AS'));
  return as >= 0 && inner[as + 1]?.kind === 'word' ? inner[as + 1]!.value.toLowerCase() : null;
}

function findTable(tables: TableRef[], find: FindSourceCollection, qualifier: string | null, column: string): CollectionModel | undefined {
  const byAlias = (alias: string) => tables.find((t) => t.alias.toLowerCase() === alias.toLowerCase());
  const collectionOf = (t: TableRef | undefined) => (t?.name ? find(t.name.toLowerCase()) : undefined);
  if (qualifier !== null) return collectionOf(byAlias(qualifier));
  const main = collectionOf(tables[0]);
  if (main) return main;
  // not PocketBase's rule (it only looks at the main table), but unambiguous: the one joined table with it
  const having = tables.map(collectionOf).filter((c) => c?.fields.some((f) => f.name.toLowerCase() === column.toLowerCase()));
  return having.length === 1 ? having[0] : undefined;
}

function inferColumn(col: SelectColumn, tables: TableRef[], find: FindSourceCollection): InferredField {
  const name = col.name;
  if (name === 'id') {
    return { strong: true, source: 'the id column', field: buildField('text', 'id', { system: true, required: true, primaryKey: true, pattern: RECORD_ID_PATTERN }) };
  }
  const first = col.expr[0];
  if (isKeyword(first, 'COUNT', 'TOTAL') && col.expr[1]?.text === '(') {
    return { strong: true, source: `${first!.value}(…)`, field: buildField('number', name) };
  }
  const cast = readCastType(col.expr);
  const castType = cast === null ? null : NUMBER_CASTS.includes(cast) ? 'number' : cast === 'text' ? 'text' : cast === 'boolean' || cast === 'bool' ? 'bool' : null;
  if (castType) return { strong: true, source: `CAST(… AS ${cast!.toUpperCase()})`, field: buildField(castType, name) };
  const ref = readColumnRef(col.expr);
  const collection = ref ? findTable(tables, find, ref.qualifier, ref.column) : undefined;
  const source = collection?.fields.find((f) => f.name.toLowerCase() === ref!.column.toLowerCase());
  if (collection && source) {
    const from = `${collection.name}.${source.name}`;
    if (source.name === 'id') {
      return { strong: true, source: from, field: buildField('relation', name, { collectionId: collection.id, maxSelect: 1 }) };
    }
    return { strong: true, source: from, field: { ...structuredClone(source), id: buildCloneId(name), name } };
  }
  return { strong: false, source: 'an expression', field: buildField('json', name, { maxSize: 1 }) }; // wire: maxSize 1 as PocketBase sets it
}

/** The fields the query gives, in column order; `find` looks collections up by lower-cased name. */
export function inferViewFields(query: string, find: FindSourceCollection): ViewInference {
  const read = readViewSelect(query);
  if ('problem' in read) return read;
  const { columns, tables } = read.select;
  // Galley's bookkeeping (applied schema, settings with secrets) is never a view's source
  const internal = listReadTables(query).find((t) => t.startsWith('_galley_') || t.startsWith('sqlite_'));
  if (internal) return { problem: { message: `${JSON.stringify(internal)} is not a collection: a view reads collections only`, offset: null } };
  const wildcard = columns.find((c) => c.wildcard);
  if (wildcard) {
    return { problem: { message: 'a "*" column is not supported: list the columns (so a view never exposes a field by accident)', offset: wildcard.start } };
  }
  const seen = new Map<string, SelectColumn>();
  for (const c of columns) {
    if (!/^\w+$/.test(c.name) || c.name.length > 100) {
      return { problem: { message: `the column ${JSON.stringify(c.name)} needs a field name: add AS name (letters, digits, _)`, offset: c.start } };
    }
    if (seen.has(c.name.toLowerCase())) return { problem: { message: `two columns are named ${JSON.stringify(c.name)} (names are case-insensitive)`, offset: c.start } };
    seen.set(c.name.toLowerCase(), c);
  }
  if (!seen.has('id') || seen.get('id')!.name !== 'id') {
    return { problem: { message: 'missing the required "id" column (e.g. `SELECT p.id, …` or `(ROW_NUMBER() OVER()) AS id`)', offset: null } };
  }
  const fields = columns.map((c) => inferColumn(c, tables, find));
  const ids = new Set<string>();
  for (const { field } of fields) {
    let id = field.id === '' ? deriveFieldId(field.type, field.name) : field.id;
    for (let i = 2; ids.has(id); i++) id = `${field.id}${i}`;
    field.id = id;
    ids.add(id);
  }
  return { fields };
}

/** A view column that copies a collection's field: that collection and field (one level; it may be a view). */
export function findViewColumnSource(query: string, find: FindSourceCollection, column: string): { collection: CollectionModel; field: FieldModel } | undefined {
  const read = readViewSelect(query);
  if ('problem' in read) return undefined;
  const col = read.select.columns.find((c) => !c.wildcard && c.name === column);
  const ref = col ? readColumnRef(col.expr) : null;
  if (!ref) return undefined;
  const collection = findTable(read.select.tables, find, ref.qualifier, ref.column);
  const field = collection?.fields.find((f) => f.name.toLowerCase() === ref.column.toLowerCase());
  return collection && field && field.name !== 'id' ? { collection, field } : undefined;
}
