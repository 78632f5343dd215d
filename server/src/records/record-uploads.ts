/**
 * From a parsed multipart body to a record service's input: PocketBase's recordDataFromRequest. Files under
 * `field`, `+field` and `field+` of a file field become UploadedFile values (stored name normalised with a
 * random part, type judged from the bytes); files under any other key are ignored.
 */
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { sniffMimeType } from '../lib/mime-sniff.ts';
import { normalizeUploadName } from '../lib/upload-name.ts';
import { castToUniqueStrings } from '../schema/fields/coerce.ts';
import { fileSizeIssue, listFileFields, readFileMaxSize, sumFileBodySize, UploadedFile } from '../schema/fields/file.ts';
import type { CollectionModel, FieldModel } from '../schema/model.ts';

/** Limits a multipart body is held to while it streams in (http/body.ts enforces them). */
export interface UploadLimits {
  /** bytes the whole body may have */
  maxBytes: number;
  /** bytes one file under `key` may have; undefined when the key takes no files (they are skipped unread) */
  maxFileBytes(key: string): number | undefined;
  /** the error for a file over its limit, in the route's wire shape */
  fileTooLarge(key: string, filename: string, limit: number): Error;
}

/** A file part as the body parser hands it over (a web File). */
export interface FormFilePart {
  readonly name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

function findFileFieldOfKey(collection: CollectionModel, key: string): FieldModel | undefined {
  const name = key.startsWith('+') ? key.slice(1) : key.endsWith('+') ? key.slice(0, -1) : key;
  return listFileFields(collection).find((f) => f.name === name);
}

/**
 * The body limits of a record create/update. wire: PocketBase allows its default body size plus maxSize ×
 * maxSelect of every file field; each file part is cut off at its own field's maxSize (a 400 naming the field).
 * Undefined for an unknown collection (the service answers its 404).
 */
export function describeUploadLimits(core: Core, collectionIdOrName: string, failMessage: string): UploadLimits | undefined {
  const collection = core.schema.findCollection(collectionIdOrName);
  if (!collection) return undefined;
  const writable = collection.type !== 'view';
  return {
    maxBytes: core.config.maxBodySize + (writable ? sumFileBodySize(collection) : 0),
    maxFileBytes(key) {
      const field = writable ? findFileFieldOfKey(collection, key) : undefined;
      return field ? readFileMaxSize(field) : undefined;
    },
    fileTooLarge(key, filename, limit) {
      const field = findFileFieldOfKey(collection, key);
      return new GalleyError('invalid', failMessage, { issues: { [field?.name ?? key]: fileSizeIssue(filename, limit) } });
    },
  };
}

/** Makes the pending upload of one file part. */
export async function toUploadedFile(part: FormFilePart): Promise<UploadedFile> {
  const data = new Uint8Array(await part.arrayBuffer());
  const sniffed = sniffMimeType(data);
  return new UploadedFile(normalizeUploadName(part.name, sniffed.ext), part.name, sniffed.mime, data);
}

/**
 * Merges uploaded files into the body values. wire: files under the plain field key join the names sent
 * under that same key (so an upload with no names replaces the field's files); `+field`/`field+` prepend/append.
 */
export async function mergeUploadedFiles(
  collection: CollectionModel,
  values: Record<string, unknown>,
  files: Record<string, readonly FormFilePart[]>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...values };
  for (const field of listFileFields(collection)) {
    for (const key of [field.name, '+' + field.name, field.name + '+']) {
      const parts = files[key];
      if (!parts || parts.length === 0) continue;
      const kept = key === field.name && values[key] != null ? castToUniqueStrings(values[key]) : [];
      out[key] = [...kept, ...(await Promise.all(parts.map(toUploadedFile)))];
    }
  }
  return out;
}

/**
 * The record service's input from a parsed body: values with the uploads merged in (batch sub-requests use it
 * too). Values only for an unknown collection: the service answers its 404.
 */
export async function prepareRecordInput(
  core: Core,
  collectionIdOrName: string,
  body: { values: Record<string, unknown>; files: Record<string, readonly FormFilePart[]> },
): Promise<Record<string, unknown>> {
  const collection = core.schema.findCollection(collectionIdOrName);
  if (!collection || Object.keys(body.files).length === 0) return body.values;
  return mergeUploadedFiles(collection, body.values, body.files);
}
