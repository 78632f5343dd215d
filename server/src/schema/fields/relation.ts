/** `relation`: ids of records in another collection. */
import { Type } from '@sinclair/typebox';
import { issue } from '../../errors.ts';
import { castToUniqueStrings } from './coerce.ts';
import { readBool, readNumber, readString, valueDefaults, valueOptions } from './field-options.ts';
import type { FieldType, OptionProblem } from './field-type.ts';
import {
  checkSelectionCount,
  isMultiValue,
  loadStrings,
  makeMaxSelectOption,
  modifySelection,
  describeMultiValueColumn,
  pickSelection,
  storeStrings,
  getZeroSelection,
} from './multi-value.ts';

export const relationField: FieldType = {
  name: 'relation',
  options: Type.Object({
    ...valueOptions,
    collectionId: Type.Optional(
      Type.String({ description: 'The related collection: its id (or, in a hand-written file, its name).' }),
    ),
    cascadeDelete: Type.Optional(Type.Boolean({ description: 'Delete this record when a related record is deleted.' })),
    minSelect: Type.Optional(Type.Integer({ minimum: 0, description: 'Least number of related records.' })),
    maxSelect: makeMaxSelectOption('related records'),
  }),
  defaults: { ...valueDefaults, collectionId: '', cascadeDelete: false, minSelect: 0, maxSelect: 0 },

  checkOptions(field, ctx) {
    const problems: OptionProblem[] = [];
    const target = readString(field, 'collectionId');
    const found = target === '' ? undefined : ctx.findCollection(target);
    if (target === '') problems.push({ key: 'collectionId', message: 'a relation field needs the related collection' });
    else if (!found) problems.push({ key: 'collectionId', message: `${JSON.stringify(target)} is not a collection of this schema` });
    else if (found.type === 'view' && ctx.owner.type !== 'view') {
      problems.push({ key: 'collectionId', message: 'only view collections can relate to a view collection' });
    }
    const minSelect = readNumber(field, 'minSelect');
    if (minSelect > 0 && readNumber(field, 'maxSelect') < minSelect) {
      problems.push({ key: 'maxSelect', message: `must be at least minSelect (${minSelect})` });
    }
    return problems;
  },
  resolveOptions(field, ctx) {
    const found = ctx.findCollection(readString(field, 'collectionId'));
    return found ? { ...field, collectionId: found.id } : field;
  },

  column: describeMultiValueColumn,
  isMulti: isMultiValue,
  zero: getZeroSelection,
  prepare: (raw, field) => pickSelection(castToUniqueStrings(raw), field),
  modify: (current, op, arg, field) => modifySelection(current, op, arg, field, castToUniqueStrings),
  async validate(value, field, ctx) {
    const ids = castToUniqueStrings(value);
    const count = checkSelectionCount(ids, field);
    if (count !== null) return count === 'empty' ? null : count;
    let found: Set<string>;
    try {
      found = await ctx.existingIds(readString(field, 'collectionId'), ids);
    } catch {
      return issue('validation_missing_rel_collection', 'Relation connection is missing or cannot be accessed.');
    }
    if (ids.some((id) => !found.has(id))) {
      return issue('validation_missing_rel_records', 'Failed to find all relation records with the provided ids.');
    }
    return null;
  },
  toStorage: storeStrings,
  fromStorage: loadStrings,
  filterKind: (field) => (isMultiValue(field) ? 'multi' : 'text'),
  relation: (field) => ({
    collectionId: readString(field, 'collectionId'),
    multi: isMultiValue(field),
    cascadeDelete: readBool(field, 'cascadeDelete'),
  }),
};
