/** `autodate`: a datetime the server stamps on create and/or update; bodies cannot set it. */
import { Type } from '@sinclair/typebox';
import { formatDateTime, normalizeDateTime } from '../../lib/datetime.ts';
import { readBool } from './field-options.ts';
import type { FieldType } from './field-type.ts';

export const autodateField: FieldType = {
  name: 'autodate',
  // wire: autodate has neither `required` nor `help`
  options: Type.Object({
    onCreate: Type.Optional(Type.Boolean({ description: 'Set to the current time when a record is created.' })),
    onUpdate: Type.Optional(Type.Boolean({ description: 'Set to the current time whenever a record is updated.' })),
  }),
  defaults: { onCreate: false, onUpdate: false },
  serverManaged: true,

  checkOptions(field) {
    if (readBool(field, 'onCreate') || readBool(field, 'onUpdate')) return [];
    return [{ key: 'onCreate', message: 'either onCreate or onUpdate must be true' }];
  },

  column: () => ({ type: 'text', notNull: true, defaultValue: '' }),
  isMulti: () => false,
  zero: () => '',
  prepare: (raw) => normalizeDateTime(raw),
  autofill(value, field, ctx) {
    const stamp = ctx.isNew ? readBool(field, 'onCreate') : readBool(field, 'onUpdate');
    return stamp ? formatDateTime(ctx.now) : value;
  },
  validate: () => null,
  toStorage: (value) => normalizeDateTime(value),
  fromStorage: (raw) => (typeof raw === 'string' ? raw : ''),
  filterKind: () => 'date',
};
