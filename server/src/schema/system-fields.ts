/**
 * The fields PocketBase adds by itself: `id` on every base/auth collection, `created`/`updated` on
 * hand-written ones, and the auth system fields — with PocketBase's exact options and the rules it
 * enforces when a file declares them itself.
 */
import { crc32 } from '../lib/ids.ts';
import { getFieldType } from './fields/registry.ts';
import { RECORD_ID_PATTERN } from './fields/text.ts';
import type { FieldModel } from './model.ts';

/** wire: a field id left out is `<type><crc32(name)>`, e.g. `text3208210256` for `id`. */
export function deriveFieldId(type: string, name: string): string {
  return `${type}${crc32(name)}`;
}

/** A complete field: common keys, the type's defaults, then the given options. */
export function buildField(type: string, name: string, options: Record<string, unknown> = {}): FieldModel {
  return {
    id: deriveFieldId(type, name),
    name,
    type,
    system: false,
    hidden: false,
    presentable: false,
    ...getFieldType(type)?.defaults,
    ...options,
  } as FieldModel;
}

export function buildIdField(): FieldModel {
  return buildField('text', 'id', {
    system: true,
    primaryKey: true,
    required: true,
    min: 15,
    max: 15,
    pattern: RECORD_ID_PATTERN,
    autogeneratePattern: '[a-z0-9]{15}',
  });
}

export function buildCreatedField(system = false): FieldModel {
  return buildField('autodate', 'created', { system, onCreate: true, onUpdate: false });
}

export function buildUpdatedField(system = false): FieldModel {
  return buildField('autodate', 'updated', { system, onCreate: true, onUpdate: true });
}

/** An auth system field: its type, how to build it, and what PocketBase forces on a declared one. */
export interface AuthSystemField {
  name: string;
  type: string;
  build(): FieldModel;
  enforce: Partial<FieldModel>;
}

/** wire: PocketBase's order and options (core/collection_model.go initDefaultFields). */
export const AUTH_SYSTEM_FIELDS: readonly AuthSystemField[] = [
  {
    name: 'password',
    type: 'password',
    build: () => buildField('password', 'password', { system: true, hidden: true, required: true, min: 8 }),
    enforce: { system: true, hidden: true, required: true },
  },
  {
    name: 'tokenKey',
    type: 'text',
    build: () =>
      buildField('text', 'tokenKey', { system: true, hidden: true, required: true, min: 30, max: 60, autogeneratePattern: '[a-zA-Z0-9]{50}' }),
    enforce: { system: true, hidden: true, required: true },
  },
  {
    name: 'email',
    type: 'email',
    build: () => buildField('email', 'email', { system: true, required: true }),
    enforce: { system: true, hidden: false },
  },
  { name: 'emailVisibility', type: 'bool', build: () => buildField('bool', 'emailVisibility', { system: true }), enforce: { system: true } },
  { name: 'verified', type: 'bool', build: () => buildField('bool', 'verified', { system: true }), enforce: { system: true } },
];

/** What PocketBase forces on a declared `id` field. */
export function enforceIdField(field: FieldModel): FieldModel {
  const pattern = typeof field['pattern'] === 'string' && field['pattern'] !== '' ? field['pattern'] : RECORD_ID_PATTERN;
  return { ...field, system: true, required: true, primaryKey: true, hidden: false, pattern };
}
