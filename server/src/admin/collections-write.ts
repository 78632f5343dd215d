/**
 * Writing collections through the API (create, update, delete, import), superusers only, and only where
 * the schema may change (`serve --dev` or `--allow-collection-writes`). The schema file stays the source
 * of truth: the change is made to the file's text, loaded and checked like a hand edit, applied through
 * the same reloader (one transaction, then one swap), and the new file moved into place (temp + rename)
 * right after the migration committed. The watcher then sees a file equal to the running schema and does
 * nothing. A change that loses data (delete, dropped field) is applied: the superuser's request is the
 * explicit consent that `--allow-data-loss` gives on the command line.
 */
import type { Core } from '../core.ts';
import { GalleyError, issue } from '../errors.ts';
import { isSameJson } from '../lib/same-json.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import { isTypeScriptSchemaFile } from '../schema/schema-module.ts';
import type { CollectionModel, Schema } from '../schema/model.ts';
import {
  compactSchemaDocument,
  listEntryModels,
  readSchemaDocument,
  renderSchemaDocument,
  stageSchemaFile,
  type SchemaDocument,
} from '../schema/write-schema-file.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { buildCreateEntry, isPlainObject, mergeImportEntry, mergeUpdateEntry, retargetIndexes } from './collections-body.ts';
import { toCollectionError, toImportError } from './collections-errors.ts';
import { checkTokenSecrets, storeTokenSecrets, takeTokenSecrets, toImportValidationFailure, type TokenSecrets } from './collections-token-secrets.ts';
import { readTimesById, requireCollectionModel, requireSuperuser, toTimedCollectionJson } from './collections.ts';
import { buildLiveLoadOptions } from './schema-reload.ts';
import { findSchemaService, type SchemaService } from './schema-service.ts';

/** The new entries, and which of them to write minimal (the rest stay as the file has them). */
export interface FileEdit {
  collections: unknown[];
  touched: Set<number>;
}

export function requireWritable(core: Core): SchemaService & { file: string } {
  const service = findSchemaService(core);
  const file = core.config.schemaFile;
  if (service?.file && isTypeScriptSchemaFile(service.file)) {
    // a module is code: it cannot be rewritten without losing what its author wrote around the data
    throw new GalleyError(
      'forbidden',
      `Collections cannot be changed through the API on this server: the schema file ${service.file} is TypeScript, which ` +
        'Galley does not rewrite. Edit the file instead (`galley serve --dev` applies saved changes live), or use a JSON schema file.',
    );
  }
  if (service && service.file) return service as SchemaService & { file: string };
  const message = file
    ? `Collections are read-only on this server: the schema file ${file} is the source of truth. Edit it and run ` +
      `\`galley migrate apply --schema ${file}\`, or start \`galley serve --dev\` (or with --allow-collection-writes) to change collections through the API.`
    : 'Collections are read-only on this server: its schema did not come from a schema file. Start `galley serve --schema FILE --dev` to change collections through the API.';
  throw new GalleyError('forbidden', message);
}

export function requireBody(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw new GalleyError('invalid', 'Failed to load the submitted data due to invalid formatting.');
  return body;
}

/** One collections API change: how it edits the file's entries, and how its schema problems become the API's error. */
export interface SchemaChange {
  build: (doc: SchemaDocument, models: CollectionModel[]) => FileEdit;
  mapError: (err: unknown, edit: FileEdit) => unknown;
}

/** Bring in the file's own pending edits, apply `build`'s change to it, write it back. Returns the new schema and document. */
async function writeSchemaChange(core: Core, { build, mapError }: SchemaChange): Promise<{ schema: Schema; document: SchemaDocument }> {
  const service = requireWritable(core);
  const { reloader, file } = service;
  // this request waits for the gate like a reload does: it must not count as one in flight
  const resume = reloader.gate.detach();
  try {
    return await reloader.serialize(async () => {
      const state = await reloader.syncFromFile();
      if (state.kind === 'invalid' || state.kind === 'waiting') {
        const why = state.kind === 'invalid' ? 'has problems' : 'has a change that waits for `galley migrate apply --allow-data-loss`';
        throw new GalleyError('invalid', `The schema file ${file} ${why}; settle that first (nothing was written).\n${state.message}`);
      }
      const doc = readSchemaDocument(file);
      const edit = build(doc, listEntryModels(core.schema, doc));
      let compact: { document: SchemaDocument; schema: Schema };
      try {
        compact = compactSchemaDocument({ ...doc, collections: edit.collections }, edit.touched, file, buildLiveLoadOptions(core));
      } catch (err) {
        throw mapError(err, edit);
      }
      if (isSameJson(compact.schema.collections, core.schema.collections)) return compact; // nothing changes: leave the file as written
      const staged = stageSchemaFile(file, renderSchemaDocument(compact.document));
      try {
        await reloader.applySchema(compact.schema, { allowDataLoss: true, beforeSwap: () => staged.commit() });
      } finally {
        staged.discard();
      }
      core.log.info(`collections API: wrote ${file}`);
      return compact;
    });
  } finally {
    resume();
  }
}

/** A new collection at the end of the file. */
export function createChange(raw: Record<string, unknown>): SchemaChange {
  return {
    build: (doc) => {
      const collections = [...doc.collections, buildCreateEntry(raw)];
      return { collections, touched: new Set([collections.length - 1]) };
    },
    mapError: (err, edit) => toCollectionError(err, edit.collections.length - 1, 'Failed to create collection.'),
  };
}

export async function createCollection(core: Core, info: RequestInfo, body: unknown): Promise<Record<string, unknown>> {
  requireSuperuser(info);
  const { body: raw, secrets } = takeTokenSecrets(requireBody(body));
  const { schema, document } = await writeSchemaChange(core, createChange(raw));
  const created = listEntryModels(schema, document).at(-1)!;
  await storeTokenSecrets(core, new Map([[created.id, secrets]]));
  return toTimedCollectionJson(created, await readTimesById(core));
}

/** wire: PocketBase refuses these before saving (core/collection_validate.go). */
function checkProtectedChanges(current: CollectionModel, body: Record<string, unknown>): void {
  if (body['type'] !== undefined && body['type'] !== current.type) {
    throw new GalleyError('invalid', 'Failed to update collection.', { issues: { type: issue('validation_collection_type_change', 'Collection type cannot be changed.') } });
  }
  if (current.system && body['name'] !== undefined && body['name'] !== current.name) {
    throw new GalleyError('invalid', 'Failed to update collection.', {
      issues: { name: issue('validation_collection_system_name_change', 'System collection name cannot be changed.') },
    });
  }
}

/** The body over the collection `id` (where the file has it, or added when the file leaves a built-in out). */
export function updateChange(core: Core, id: string, raw: Record<string, unknown>): SchemaChange {
  return {
    build: (doc, models) => {
      const current = core.schema.findCollection(id);
      if (!current) throw new GalleyError('not_found', "The requested resource wasn't found.");
      checkProtectedChanges(current, raw);
      const at = models.findIndex((m) => m.id === id);
      const collections = [...doc.collections];
      const index = at < 0 ? collections.length : at; // a built-in the file leaves out is added to it
      collections[index] = mergeUpdateEntry(current, raw);
      return { collections, touched: new Set([index]) };
    },
    mapError: (err, edit) => toCollectionError(err, [...edit.touched][0]!, 'Failed to update collection.'),
  };
}

export async function updateCollection(core: Core, info: RequestInfo, idOrName: string, body: unknown): Promise<Record<string, unknown>> {
  requireSuperuser(info);
  requireWritable(core);
  const { body: raw, secrets } = takeTokenSecrets(requireBody(body));
  const id = requireCollectionModel(core, idOrName).id;
  const { schema } = await writeSchemaChange(core, updateChange(core, id, raw));
  await storeTokenSecrets(core, new Map([[id, secrets]]));
  return toTimedCollectionJson(schema.findCollection(id)!, await readTimesById(core));
}

/** Collections whose relation fields point at `target` (other than itself). */
function listReferencing(schema: Schema, target: CollectionModel): string[] {
  return schema.collections
    .filter((c) => c.id !== target.id && c.fields.some((f) => fieldTypeOf(f).relation?.(f)?.collectionId === target.id))
    .map((c) => c.name);
}

export function deleteChange(core: Core, id: string): SchemaChange {
  return {
    build: (doc, models) => {
      const current = core.schema.findCollection(id);
      if (!current) throw new GalleyError('not_found', "The requested resource wasn't found.");
      if (current.system) throw new GalleyError('invalid', `Failed to delete collection: ${current.name} is a system collection.`);
      const refs = listReferencing(core.schema, current);
      if (refs.length > 0) throw new GalleyError('invalid', `Failed to delete collection probably due to existing reference in ${refs.join(', ')}.`);
      return { collections: doc.collections.filter((_, i) => models[i]?.id !== id), touched: new Set() };
    },
    mapError: (err) => toCollectionError(err, -1, 'Failed to delete collection.'),
  };
}

export async function deleteCollection(core: Core, info: RequestInfo, idOrName: string): Promise<void> {
  requireSuperuser(info);
  requireWritable(core);
  const id = requireCollectionModel(core, idOrName).id;
  await writeSchemaChange(core, deleteChange(core, id));
}

/** PUT /api/collections/import's body as a change (its `collections` checked here). */
export function importChange(core: Core, raw: Record<string, unknown>): SchemaChange {
  const list = raw['collections'];
  if (!Array.isArray(list) || list.length === 0) {
    throw new GalleyError('invalid', 'An error occurred while validating the submitted data.', {
      issues: { collections: issue('validation_required', 'Cannot be blank.') },
    });
  }
  const deleteMissing = raw['deleteMissing'] === true;
  return {
    build: (doc, models) => {
      const collections = [...doc.collections];
      const written = new Set<unknown>();
      const imported = new Set<string>();
      for (const item of list) {
        const ident = isPlainObject(item) ? String(item['id'] || item['name'] || '') : '';
        const current = ident === '' ? undefined : core.schema.findCollection(ident);
        if (!current || !isPlainObject(item)) {
          const entry = isPlainObject(item) ? retargetIndexes({ ...item }) : item;
          collections.push(entry);
          written.add(entry);
          continue;
        }
        imported.add(current.id);
        const entry = mergeImportEntry(current, item, deleteMissing);
        const at = models.findIndex((m) => m.id === current.id);
        if (at < 0) collections.push(entry);
        else collections[at] = entry;
        written.add(entry);
      }
      // wire: deleteMissing removes every non-system collection the import does not name
      const kept = deleteMissing
        ? collections.filter((entry, i) => written.has(entry) || !models[i] || models[i]!.system || imported.has(models[i]!.id))
        : collections;
      return { collections: kept, touched: new Set(kept.flatMap((entry, i) => (written.has(entry) ? [i] : []))) };
    },
    mapError: (err) => toImportError(err),
  };
}

export async function importCollections(core: Core, info: RequestInfo, body: unknown): Promise<void> {
  requireSuperuser(info);
  requireWritable(core);
  const raw = requireBody(body);
  const list = raw['collections'];
  // each item's token secrets, by the id or name that finds its collection once the import is in
  const taken: Array<[string, TokenSecrets]> = [];
  const items = Array.isArray(list)
    ? list.map((item: unknown) => {
        if (!isPlainObject(item)) return item;
        const bad = checkTokenSecrets(item);
        if (Object.keys(bad).length > 0) throw toImportValidationFailure(String(item['name'] ?? ''), String(item['id'] ?? ''), bad);
        const { body: stripped, secrets } = takeTokenSecrets(item);
        const ident = String(item['id'] || item['name'] || '');
        if (secrets.size > 0 && ident !== '') taken.push([ident, secrets]);
        return stripped;
      })
    : list;
  await writeSchemaChange(core, importChange(core, { ...raw, collections: items }));
  const byId = new Map<string, TokenSecrets>();
  for (const [ident, secrets] of taken) {
    const found = core.schema.findCollection(ident);
    if (found) byId.set(found.id, secrets);
  }
  await storeTokenSecrets(core, byId);
}
