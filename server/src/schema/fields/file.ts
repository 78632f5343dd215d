/**
 * `file`: stored file names. A value may also hold pending uploads (objects with `name`, `size`,
 * `type`); files/ stores them and puts the final names in their place before toStorage.
 */
import { Type } from '@sinclair/typebox';
import { issue, type FieldIssue } from '../../errors.ts';
import type { FieldModel } from '../model.ts';
import { castToUniqueStrings } from './coerce.ts';
import { readNumber, readStrings, requiredIssue, makeStringListOption, valueDefaults, valueOptions } from './field-options.ts';
import type { FieldType, OptionProblem } from './field-type.ts';
import { isMultiValue, loadStrings, makeMaxSelectOption, modifySelection, describeMultiValueColumn, pickSelection, getZeroSelection } from './multi-value.ts';

/** wire: maxSize 0 means 5 MiB per file. */
export const DEFAULT_FILE_MAX_SIZE = 5 * 1024 * 1024;
const THUMB_SIZE = /^(\d+)x(\d+)(t|b|f)?$/;
const LOOSE_FILENAME = /^[^./\\][^/\\]+$/;

export interface PendingUpload {
  name: string;
  size: number;
  type?: string;
}

export function isPendingUpload(item: unknown): item is PendingUpload {
  return typeof item === 'object' && item !== null && typeof (item as PendingUpload).name === 'string' && typeof (item as PendingUpload).size === 'number';
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

const keyOfFile = (item: string | PendingUpload): unknown => item;

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

function checkUpload(upload: PendingUpload, field: FieldModel): FieldIssue | null {
  if (upload.name.length < 1 || upload.name.length > 150 || !LOOSE_FILENAME.test(upload.name)) {
    return issue('validation_invalid_file', `Invalid file name ${JSON.stringify(upload.name.slice(0, 150))}.`, { invalidFiles: [upload.name.slice(0, 250)] });
  }
  const maxSize = readFileMaxSize(field);
  if (upload.size > maxSize) {
    return issue('validation_file_size_limit', `Failed to upload ${upload.name} - the maximum allowed file size is ${maxSize} bytes.`, { file: upload.name, maxSize });
  }
  const mimeTypes = readStrings(field, 'mimeTypes');
  if (mimeTypes.length > 0 && !mimeTypes.includes(upload.type ?? '')) {
    return issue('validation_invalid_mime_type', `"${upload.name}" mime type must be one of: ${mimeTypes.join(', ')}.`);
  }
  return null;
}
