/**
 * Writing collections back to the schema file (collections API in `serve --dev`). The file keeps its form
 * (array or `{ $schema, collections }`) and every collection the change did not touch stays exactly as
 * written; touched ones are written minimal (minimize-collection.ts), 2-space JSON, so a diff shows the change.
 * Before anything is written the new text is loaded again and must give the same schema.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomString } from '../lib/ids.ts';
import { isSameJson } from '../lib/same-json.ts';
import { parseJsonText } from './json-syntax.ts';
import { loadSchema, type LoadSchemaOptions } from './load.ts';
import { minimizeCollection, toFileCollectionJson } from './minimize-collection.ts';
import type { CollectionModel, Schema } from './model.ts';
import { SchemaError } from './schema-error.ts';

/** A schema file as data: its form, its other top-level keys, and its collection entries as written. */
export interface SchemaDocument {
  readonly form: 'array' | 'object';
  /** top-level keys besides `collections` (`$schema`), in file order */
  readonly extra: Readonly<Record<string, unknown>>;
  readonly collections: readonly unknown[];
}

export function parseSchemaDocument(value: unknown): SchemaDocument {
  if (Array.isArray(value)) return { form: 'array', extra: {}, collections: value };
  const { collections, ...extra } = (value ?? {}) as Record<string, unknown>;
  return { form: 'object', extra, collections: Array.isArray(collections) ? collections : [] };
}

export function readSchemaDocument(path: string): SchemaDocument {
  const parsed = parseJsonText(readFileSync(path, 'utf8'));
  if (!parsed.ok) throw new SchemaError(path, [{ path: '', message: `invalid JSON at line ${parsed.problem.line}: ${parsed.problem.message}` }]);
  return parseSchemaDocument(parsed.value);
}

/** What loadSchema reads. */
export function toSchemaInput(doc: SchemaDocument): unknown {
  return doc.form === 'array' ? doc.collections : { ...doc.extra, collections: doc.collections };
}

/** Pretty-printed with 2 spaces and a final newline. */
export function renderSchemaDocument(doc: SchemaDocument): string {
  return JSON.stringify(toSchemaInput(doc), null, 2) + '\n';
}

/** The model of each entry, in entry order (built-ins the file leaves out come first in the loaded list). */
export function listEntryModels(schema: Schema, doc: SchemaDocument): CollectionModel[] {
  return schema.collections.slice(schema.collections.length - doc.collections.length);
}

function tryLoad(doc: SchemaDocument): Schema | null {
  try {
    return loadSchema(toSchemaInput(doc));
  } catch {
    return null;
  }
}

/**
 * Load `doc` (throws SchemaError with the problems, paths as in `doc`), then write the entries at `touched`
 * minimal. Returns the document to write and the schema it loads to (the same as `doc`'s). `opts` as for
 * loading a file (the view query check); the written text is then only compared, not checked again.
 */
export function compactSchemaDocument(
  doc: SchemaDocument,
  touched: ReadonlySet<number>,
  sourceName: string,
  opts: LoadSchemaOptions = {},
): { document: SchemaDocument; schema: Schema } {
  const schema = loadSchema(toSchemaInput(doc), sourceName, opts);
  const models = listEntryModels(schema, doc);
  const entries = doc.collections.map((raw, i) => (touched.has(i) ? minimizeCollection(models[i]!, schema) : raw));
  let document: SchemaDocument = { ...doc, collections: entries };
  const again = tryLoad(document);
  const differs = (i: number) => !again || !isSameJson(listEntryModels(again, document)[i], models[i]);
  const fallback = [...touched].filter(differs);
  if (fallback.length > 0) {
    // the full form loads back unchanged (an export does); used where the minimal one would not
    document = { ...doc, collections: entries.map((raw, i) => (fallback.includes(i) ? toFileCollectionJson(models[i]!) : raw)) };
    const third = tryLoad(document);
    if (!third || !isSameJson(third.collections, schema.collections)) {
      throw new Error('the schema file cannot be written back faithfully (the written collections load differently)');
    }
  } else if (!isSameJson(again!.collections, schema.collections)) {
    throw new Error('the schema file cannot be written back faithfully (the collections load differently)');
  }
  return { document, schema };
}

export interface StagedFile {
  /** Move the new text into place (atomic rename). */
  commit(): void;
  /** Remove the temporary file. */
  discard(): void;
}

/** Write `text` beside `path` under a temporary name, flushed to disk; `commit` renames it over `path`. */
export function stageSchemaFile(path: string, text: string): StagedFile {
  const temp = join(dirname(path), `.${basename(path)}.${randomString(8, 'abcdefghijklmnopqrstuvwxyz0123456789')}.tmp`);
  const fd = openSync(temp, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  let done = false;
  return {
    commit() {
      if (done) return;
      done = true;
      renameSync(temp, path);
    },
    discard() {
      if (done) return;
      done = true;
      rmSync(temp, { force: true });
    },
  };
}
