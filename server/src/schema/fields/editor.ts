/** `editor`: rich text (HTML) with a size limit in bytes. */
import { Type } from '@sinclair/typebox';
import { issue } from '../../errors.ts';
import type { FieldModel } from '../model.ts';
import { readNumber, valueDefaults, valueOptions } from './field-options.ts';
import type { FieldType } from './field-type.ts';
import { plainStringValue, validateStringWith } from './string-value.ts';

/** wire: maxSize 0 means 5 MiB. */
export const DEFAULT_EDITOR_MAX_SIZE = 5 * 1024 * 1024;

/** The byte limit of an editor field (also raises the request body limit). */
export function readEditorMaxSize(field: FieldModel): number {
  const size = readNumber(field, 'maxSize');
  return size > 0 ? size : DEFAULT_EDITOR_MAX_SIZE;
}

export const editorField: FieldType = {
  name: 'editor',
  options: Type.Object({
    ...valueOptions,
    maxSize: Type.Optional(Type.Integer({ minimum: 0, description: 'Maximum size in bytes (0 = 5 MiB).' })),
    convertURLs: Type.Optional(Type.Boolean({ description: 'Dashboard editor: convert URLs to relative ones.' })),
  }),
  defaults: { ...valueDefaults, maxSize: 0, convertURLs: false },

  ...plainStringValue,
  validate: validateStringWith((value, field) => {
    const maxSize = readEditorMaxSize(field);
    if (Buffer.byteLength(value, 'utf8') > maxSize) {
      return issue('validation_content_size_limit', `The maximum allowed content size is ${maxSize} bytes.`, { maxSize });
    }
    return null;
  }),
};
