/** The one error a schema file produces: every problem, each with the JSON pointer of its place. */
import { GalleyError } from '../errors.ts';

export interface SchemaProblem {
  /** JSON pointer without the leading slash; collections are always `collections/<index>/…`. */
  path: string;
  message: string;
  /** wire: the PocketBase validation code the collections API answers for it, where PocketBase has a specific one */
  code?: SchemaProblemCode;
}

/** The codes a schema check may name (the collections API maps every other problem by its key and message). */
export type SchemaProblemCode =
  | 'validation_required'
  | 'validation_not_in_invalid'
  | 'validation_reserved_field_name'
  | 'validation_invalid_view_query'
  | 'validation_duplicated_index_name'
  | 'validation_existing_index_name'
  | 'validation_missing_field'
  | 'validation_missing_unique_constraint';

export class SchemaError extends GalleyError {
  readonly problems: SchemaProblem[];
  readonly sourceName: string;
  /** by path, the collection and field it points into by name (`collection "posts", field "title"`) */
  readonly places: ReadonlyMap<string, string> | undefined;

  constructor(sourceName: string, problems: SchemaProblem[], places?: ReadonlyMap<string, string>) {
    super('invalid', formatSchemaProblems(sourceName, problems, places));
    this.name = 'SchemaError';
    this.problems = problems;
    this.sourceName = sourceName;
    this.places = places;
  }
}

/** One problem as a line: `path: message (collection "posts", field "title")`, the place left out where the message names it. */
export function formatSchemaProblem(p: SchemaProblem, places?: ReadonlyMap<string, string>): string {
  if (p.path === '') return p.message;
  const place = places?.get(p.path);
  return `${p.path}: ${p.message}${place && !p.message.includes(place) ? ` (${place})` : ''}`;
}

/** Header line, then one `path: message` line per problem (in file order). */
export function formatSchemaProblems(sourceName: string, problems: SchemaProblem[], places?: ReadonlyMap<string, string>): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const header =
    `${sourceName}: ${count} (paths are JSON pointers; collections/N is the N-th collection, counted from 0, ` +
    `whether the file is an array or has a "collections" key):`;
  // a message that already names its place (rule checks: `collection "posts" has no field …`) is not told it twice
  return [header, ...problems.map((p) => formatSchemaProblem(p, places))].join('\n');
}
