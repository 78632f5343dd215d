/** Hand-built collection models for the migrate tests (the schema loader fills these in for real files). */
import type { CollectionModel, FieldModel } from '../../schema/model.ts';

export function makeField(name: string, type: string, extra: Partial<FieldModel> = {}): FieldModel {
  return { id: `${type}_${name}`, name, type, system: false, hidden: false, presentable: false, ...extra };
}

export function makeCollection(
  name: string,
  fields: FieldModel[],
  extra: Partial<CollectionModel> = {},
): CollectionModel {
  return {
    id: `pbc_${name}`,
    name,
    type: 'base',
    system: false,
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [makeField('id', 'text', { id: 'text3208210256', system: true, primaryKey: true, required: true }), ...fields],
    indexes: [],
    ...extra,
  };
}
