/**
 * `file`: stored file names. A value may also hold pending uploads (UploadedFile, made only from a
 * multipart part, never from JSON); records/ stores them before the row commits and toStorage keeps their names.
 */
import { Type } from '@sinclair/typebox';
import { issue, type FieldIssue } from '../../errors.ts';
import { isMimeType } from '../../lib/mime-sniff.ts';
import type { FieldModel } from '../model.ts';
import { castToUniqueStrings } from './coerce.ts';
import { readNumber, readStrings, requiredIssue, makeStringListOption, valueDefaults, valueOptions } from './field-options.ts';
import type { FieldType, OptionProblem } from './field-type.ts';
import { isMultiValue, loadStrings, makeMaxSelectOption, modifySelection, describeMultiValueColumn, pickSelection, getZeroSelection } from './multi-value.ts';

/** wire: maxSize 0 means 5 MiB per file. */
export const DEFAULT_FILE_MAX_SIZE = 5 * 1024 * 1024;
const THUMB_SIZE = /^(\d+)x(\d+)(t|b|f)?$/;
const LOOSE_FILENAME = /^[^./\\][^/\\]+$/;

/** An uploaded file waiting to be stored: its stored name (already normalised), the client's name, its bytes. */
export class UploadedFile {
  constructor(
    readonly name: string,
    readonly originalName: string,
    /** the type judged from the bytes (lib/mime-sniff.ts), never the client's claim */
    readonly type: string,
    readonly data: Uint8Array,
  ) {}
  get size(): number {
    return this.data.byteLength;
  }
  /** Rules and logs see the stored name, never the bytes. */
  toJSON(): string {
    return this.name;
  }
}

export type PendingUpload = UploadedFile;

/** Only a real upload counts: a JSON object shaped like one is just an invalid value. */
export function isPendingUpload(item: unknown): item is UploadedFile {
  return item instanceof UploadedFile;
}

export function readFileMaxSize(field: FieldModel): number {
  const size = readNumber(field, 'maxSize');
  return size > 0 ? size : DEFAULT_FILE_MAX_SIZE;
}

/** Names and uploads of a raw value, flattened, names de-duplicated. */
export function listFiles(raw: unknown): Array<string | PendingUpload> {
  const items = Array.isArray(raw) ? raw : [raw];
  const out: Array<string | PendingUpload> = [];
  for (const item of items) {
    if (isPendingUpload(item)) out.push(item);
    else for (const name of castToUniqueStrings(item)) if (!out.includes(name)) out.push(name);
  }
  return out;
}

// wire: PocketBase matches files by name (an upload by its stored name).
const keyOfFile = (item: string | PendingUpload): unknown => (typeof item === 'string' ? item : item.name);

export const fileField: FieldType = {
  name: 'file',
  options: Type.Object({
    ...valueOptions,
    maxSize: Type.Optional(Type.Integer({ minimum: 0, description: 'Maximum size of one file in bytes (0 = 5 MiB).' })),
    maxSelect: makeMaxSelectOption('files'),
    mimeTypes: makeStringListOption('Accepted MIME types (empty = any).'),
    thumbs: makeStringListOption('Thumbnail sizes such as "100x100", "0x300", "200x200t".'),
    protected: Type.Optional(Type.Boolean({ description: 'Downloads need a file token.' })),
  }),
  defaults: { ...valueDefaults, maxSize: 0, maxSelect: 0, mimeTypes: [], thumbs: [], protected: false },

  checkOptions(field) {
    const problems: OptionProblem[] = [];
    const bad = readStrings(field, 'thumbs').find((t) => !THUMB_SIZE.test(t) || /^0x0[tbf]?$/.test(t));
    if (bad !== undefined) problems.push({ key: 'thumbs', message: `${JSON.stringify(bad)} is not a thumb size like "100x100", "0x300" or "200x200t"` });
    return problems;
  },

  column: describeMultiValueColumn,
  isMulti: isMultiValue,
  zero: getZeroSelection,
  prepare: (raw, field) => pickSelection(listFiles(raw), field),
  modify: (current, op, arg, field) => modifySelection(current, op, arg, field, listFiles, keyOfFile),
  validate(value, field, ctx) {
    const files = listFiles(value);
    if (files.length === 0) return field.required ? requiredIssue() : null;
    const kept = ctx.isNew ? [] : ctx.original === undefined ? null : listFiles(loadStrings(ctx.original, { ...field, maxSelect: 2 }));
    if (kept) {
      const invalidFiles = files.filter((f): f is string => typeof f === 'string' && !kept.includes(f)).map((f) => f.slice(0, 250));
      if (invalidFiles.length > 0) return issue('validation_invalid_file', `Invalid new files: ${invalidFiles.join(', ')}.`, { invalidFiles });
    }
    const maxSelect = Math.max(readNumber(field, 'maxSelect'), 1);
    if (files.length > maxSelect) return issue('validation_too_many_files', `The maximum allowed files is ${maxSelect}.`, { maxSelect });
    for (const upload of files.filter(isPendingUpload)) {
      const problem = checkUpload(upload, field);
      if (problem) return problem;
    }
    return null;
  },
  toStorage(value, field) {
    const names = listFiles(value).map((f) => (typeof f === 'string' ? f : f.name));
    if (isMultiValue(field)) return JSON.stringify(names);
    return names.length > 0 ? names[names.length - 1]! : '';
  },
  fromStorage: loadStrings,
  filterKind: (field) => (isMultiValue(field) ? 'multi' : 'text'),
};

/** wire: PocketBase names the client's file (cut to 300) in this message. */
export function fileSizeIssue(originalName: string, maxSize: number): FieldIssue {
  const file = originalName.slice(0, 300);
  return issue('validation_file_size_limit', `Failed to upload ${file} - the maximum allowed file size is ${maxSize} bytes.`, { file, maxSize });
}

function checkUpload(upload: PendingUpload, field: FieldModel): FieldIssue | null {
  if (upload.name.length < 1 || upload.name.length > 150 || !LOOSE_FILENAME.test(upload.name)) {
    return issue('validation_invalid_file', `Invalid file name ${JSON.stringify(upload.name.slice(0, 150))}.`, { invalidFiles: [upload.name.slice(0, 250)] });
  }
  const maxSize = readFileMaxSize(field);
  if (upload.size > maxSize) {
    return fileSizeIssue(upload.originalName, maxSize);
  }
  const mimeTypes = readStrings(field, 'mimeTypes');
  if (mimeTypes.length > 0 && !mimeTypes.some((allowed) => isMimeType(upload.type, allowed))) {
    return issue('validation_invalid_mime_type', `"${upload.name}" mime type must be one of: ${mimeTypes.join(', ')}.`);
  }
  return null;
}

/** The collection's file fields (what upload limits, storage cleanup and the orphan sweep look at). */
export function listFileFields(collection: { fields: readonly FieldModel[] }): FieldModel[] {
  return collection.fields.filter((f) => f.type === fileField.name);
}

/** wire: PocketBase adds maxSize × maxSelect of every file field to a record route's body limit. */
export function sumFileBodySize(collection: { fields: readonly FieldModel[] }): number {
  return listFileFields(collection).reduce((sum, f) => sum + readFileMaxSize(f) * Math.max(readNumber(f, 'maxSelect'), 1), 0);
}
