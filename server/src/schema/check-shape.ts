/**
 * Key-by-key check of a parsed schema file against its TypeBox definition, with messages people can
 * act on: unknown keys and types get a "did you mean", wrong values say what was expected.
 */
import type { TObject, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { COLLECTION_DEFINITIONS, authOptionKeys, buildFieldDefinition } from './definition.ts';
import { formatSuggestion } from './did-you-mean.ts';
import { fieldTypeNames, getFieldType } from './fields/registry.ts';
import type { ProblemSink } from './problems.ts';

type Path = Array<string | number>;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** "a string", "an integer from 10 to 94670856", "a string or null", … */
export function describeSchema(schema: TSchema): string {
  if (Array.isArray(schema['anyOf'])) return (schema['anyOf'] as TSchema[]).map(describeSchema).join(' or ');
  if ('const' in schema) return JSON.stringify(schema['const']);
  const type = schema['type'] as string | undefined;
  const min = schema['minimum'] as number | undefined;
  const max = schema['maximum'] as number | undefined;
  if (type === 'integer' || type === 'number') {
    const noun = type === 'integer' ? 'an integer' : 'a number';
    if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
    if (min !== undefined) return `${noun} ≥ ${min}`;
    return max !== undefined ? `${noun} ≤ ${max}` : noun;
  }
  if (type === 'string') {
    if (schema['pattern'] === '^\\w+$') return 'a name of letters, digits and _';
    return schema['minLength'] ? 'a non-empty string' : 'a string';
  }
  if (type === 'boolean') return 'true or false';
  if (type === 'array') return `an array of ${describeSchema(schema['items'] as TSchema).replace(/^an? /, '')}s`;
  if (type === 'object') return 'an object';
  if (type === 'null') return 'null';
  return 'a valid value';
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v) ?? String(v); // undefined, functions: a library-mode schema object
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** Check `value` against `schema`, descending into objects and arrays so each problem has its own path. */
export function checkValue(schema: TSchema, value: unknown, path: Path, sink: ProblemSink, what = 'a known key'): void {
  if (Value.Check(schema, value)) return;
  if (schema['type'] === 'object' && isPlainObject(value) && schema['properties']) {
    checkObjectKeys(schema as TObject, value, path, sink, what);
    return;
  }
  if (schema['type'] === 'array' && Array.isArray(value)) {
    (value as unknown[]).forEach((item, i) => checkValue(schema['items'] as TSchema, item, [...path, i], sink));
    return;
  }
  // wire: an empty name is PocketBase's validation_required
  const blank = value === '' && schema['type'] === 'string' && (schema['pattern'] !== undefined || Boolean(schema['minLength']));
  sink.add(path, `must be ${describeSchema(schema)}, not ${describeValue(value)}`, blank ? 'validation_required' : undefined);
}

/** Unknown keys, missing required keys, then each known key's value. */
export function checkObjectKeys(
  schema: TObject,
  value: Record<string, unknown>,
  path: Path,
  sink: ProblemSink,
  what: string,
  skip: readonly string[] = [],
): void {
  const known = Object.keys(schema.properties);
  for (const [key, v] of Object.entries(value)) {
    if (skip.includes(key)) continue;
    // own keys only: "constructor" or "toString" is an unknown key, not Object.prototype's member
    const prop = Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
    if (prop) checkValue(prop, v, [...path, key], sink);
    else sink.add([...path, key], `${JSON.stringify(key)} is not ${what}${formatSuggestion(key, known)}`);
  }
  for (const key of schema.required ?? []) {
    if (!(key in value) && !skip.includes(key)) sink.add([...path, key], 'missing (required)');
  }
}

const COLLECTION_TYPES = Object.keys(COLLECTION_DEFINITIONS);

/** One collection: its type, its keys, and each of its fields. */
export function checkCollectionShape(raw: unknown, path: Path, sink: ProblemSink): void {
  if (!isPlainObject(raw)) return sink.add(path, `must be a collection object, not ${describeValue(raw)}`);
  if ('schema' in raw && !('fields' in raw)) {
    sink.add([...path, 'schema'], 'this is the PocketBase < 0.23 format; export again from PocketBase ≥ 0.23 (it writes "fields")');
  }
  let type = raw['type'] ?? 'base';
  const skip = ['fields', 'schema'];
  if (typeof type !== 'string' || !COLLECTION_TYPES.includes(type)) {
    skip.push('type');
    const hint = typeof type === 'string' ? formatSuggestion(type, COLLECTION_TYPES) : '';
    sink.add([...path, 'type'], `${describeValue(type)} is not a collection type (base, auth or view)${hint}`);
    type = 'base';
  }
  const schema = COLLECTION_DEFINITIONS[type as string]!;
  const authOnly = type !== 'auth' ? Object.keys(authOptionKeys).filter((k) => k in raw) : [];
  for (const key of authOnly) sink.add([...path, key], `${JSON.stringify(key)} is only for auth collections`);
  checkObjectKeys(schema, raw, path, sink, `a key of ${type} collections`, [...skip, ...authOnly]);
  const fields = raw['fields'];
  if (fields === undefined) return;
  if (!Array.isArray(fields)) return sink.add([...path, 'fields'], `must be an array of fields, not ${describeValue(fields)}`);
  fields.forEach((f, i) => checkFieldShape(f, [...path, 'fields', i], sink));
}

// process-wide on purpose: a pure cache keyed by field type name (the same answer for any app)
const fieldDefinitions = new Map<string, TObject>();

export function checkFieldShape(raw: unknown, path: Path, sink: ProblemSink): void {
  if (!isPlainObject(raw)) return sink.add(path, `must be a field object, not ${describeValue(raw)}`);
  const type = raw['type'];
  if (type === undefined) return sink.add([...path, 'type'], `missing; every field needs a type (${fieldTypeNames().join(', ')})`);
  if (typeof type !== 'string' || !getFieldType(type)) {
    const hint = typeof type === 'string' ? formatSuggestion(type, fieldTypeNames()) : '';
    sink.add([...path, 'type'], `${describeValue(type)} is not a field type${hint}`);
    return;
  }
  let schema = fieldDefinitions.get(type);
  if (!schema) fieldDefinitions.set(type, (schema = buildFieldDefinition(type)));
  checkObjectKeys(schema, raw, path, sink, `an option of ${type} fields`);
}
