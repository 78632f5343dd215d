/** `json`: any JSON value, stored as JSON text (NULL when unset). */
import { Type } from '@sinclair/typebox';
import { issue } from '../../errors.ts';
import type { FieldModel } from '../model.ts';
import { readNumber, requiredIssue, valueDefaults, valueOptions } from './field-options.ts';
import type { FieldType } from './field-type.ts';

/** wire: maxSize 0 means 1 MiB. */
export const DEFAULT_JSON_MAX_SIZE = 1024 * 1024;

export function readJsonMaxSize(field: FieldModel): number {
  const size = readNumber(field, 'maxSize');
  return size > 0 ? size : DEFAULT_JSON_MAX_SIZE;
}

/**
 * wire: plain strings (multipart values) are read as PocketBase reads them: "null"/"true"/"false"
 * are literals, text starting with a digit, `-`, `"`, `[` or `{` that is valid JSON is parsed,
 * anything else (including "") stays a JSON string.
 */
export function prepareJsonValue(raw: unknown): unknown {
  if (raw === undefined) return null;
  if (typeof raw !== 'string') return raw;
  if (raw === 'null') return null;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^[0-9\-"[{]/.test(raw)) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      // not JSON: kept as a string
    }
  }
  return raw;
}

function encodeJson(value: unknown): string | null {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : text;
  } catch {
    return null; // cycles, BigInt
  }
}

function isBlankJson(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

export const jsonField: FieldType = {
  name: 'json',
  options: Type.Object({
    ...valueOptions,
    maxSize: Type.Optional(Type.Integer({ minimum: 0, description: 'Maximum size of the JSON text in bytes (0 = 1 MiB).' })),
  }),
  defaults: { ...valueDefaults, maxSize: 0 },

  column: () => ({ type: 'json', notNull: false, defaultValue: null }),
  isMulti: () => false,
  zero: () => null,
  prepare: prepareJsonValue,
  validate(value, field) {
    const text = value === null || value === undefined ? 'null' : encodeJson(value);
    if (text === null) return issue('validation_invalid_json', 'Must be a valid json value.');
    const maxSize = readJsonMaxSize(field);
    if (Buffer.byteLength(text, 'utf8') > maxSize) {
      return issue('validation_json_size_limit', `The maximum allowed JSON size is ${maxSize} bytes.`, { maxSize });
    }
    return field.required && isBlankJson(value) ? requiredIssue() : null;
  },
  toStorage: (value) => (value === null || value === undefined ? null : encodeJson(value)),
  fromStorage(raw) {
    if (raw === null || raw === undefined) return null;
    if (typeof raw !== 'string') return raw;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  },
  filterKind: () => 'json',
};
