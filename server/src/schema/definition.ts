/**
 * The schema file, as TypeBox: PocketBase's collection JSON (an "Export collections" array, or
 * `{ "$schema", "collections" }`), every id and system field optional. The published JSON Schema is
 * generated from these definitions; the loader checks files against them key by key.
 */
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { authOptionKeys, makeRuleOption } from './auth-definition.ts';
import { fieldTypeNames, getFieldType } from './fields/registry.ts';

export { authOptionKeys } from './auth-definition.ts';

/** Keys every field has, whatever its type. */
export const fieldCommonKeys = {
  id: Type.Optional(Type.String({ description: 'Field id; derived from type and name when left out.' })),
  name: Type.String({ pattern: '^\\w+$', maxLength: 100, description: 'Field name (letters, digits, _).' }),
  system: Type.Optional(Type.Boolean({ description: 'System fields cannot be renamed or deleted.' })),
  hidden: Type.Optional(Type.Boolean({ description: 'Left out of API responses except for superusers.' })),
  presentable: Type.Optional(Type.Boolean({ description: 'Shown by the dashboard when the record is referenced.' })),
  renamedFrom: Type.Optional(Type.String({ description: 'Galley: the previous name of this field, to migrate its data.' })),
};

/** One field definition per type: the discriminated union editors complete against. */
export function buildFieldDefinition(typeName: string): TObject {
  const type = getFieldType(typeName);
  if (!type) throw new Error(`unknown field type ${typeName}`);
  return Type.Object(
    { ...fieldCommonKeys, type: Type.Literal(typeName), ...type.options.properties },
    { additionalProperties: false, title: `${typeName} field` },
  );
}

export const FieldDefinition = Type.Union(fieldTypeNames().map(buildFieldDefinition), { description: 'A field.' });

const collectionCommonKeys = {
  id: Type.Optional(Type.String({ description: 'Collection id; "pbc_" + CRC32 of type and name when left out.' })),
  name: Type.String({ pattern: '^\\w+$', maxLength: 255, description: 'Collection (and table) name.' }),
  system: Type.Optional(Type.Boolean()),
  listRule: makeRuleOption('Who may list records.'),
  viewRule: makeRuleOption('Who may view a record.'),
  createRule: makeRuleOption('Who may create records.'),
  updateRule: makeRuleOption('Who may update a record.'),
  deleteRule: makeRuleOption('Who may delete a record.'),
  fields: Type.Optional(Type.Array(FieldDefinition, { description: 'Fields; id, created and updated are implicit.' })),
  indexes: Type.Optional(Type.Array(Type.String(), { description: 'CREATE [UNIQUE] INDEX statements.' })),
  created: Type.Optional(Type.String({ description: 'Ignored (PocketBase API output).' })),
  updated: Type.Optional(Type.String({ description: 'Ignored (PocketBase API output).' })),
  renamedFrom: Type.Optional(Type.String({ description: 'Galley: the previous name of this collection.' })),
};

export const BaseCollectionDefinition = Type.Object(
  { ...collectionCommonKeys, type: Type.Optional(Type.Literal('base')) },
  { additionalProperties: false, title: 'base collection' },
);
export const AuthCollectionDefinition = Type.Object(
  { ...collectionCommonKeys, type: Type.Literal('auth'), ...authOptionKeys },
  { additionalProperties: false, title: 'auth collection' },
);
export const ViewCollectionDefinition = Type.Object(
  { ...collectionCommonKeys, type: Type.Literal('view'), viewQuery: Type.String({ description: 'A SELECT statement.' }) },
  { additionalProperties: false, title: 'view collection' },
);

export const COLLECTION_DEFINITIONS: Readonly<Record<string, TObject>> = {
  base: BaseCollectionDefinition,
  auth: AuthCollectionDefinition,
  view: ViewCollectionDefinition,
};

export const CollectionDefinition = Type.Union([BaseCollectionDefinition, AuthCollectionDefinition, ViewCollectionDefinition]);

export const SchemaFileDefinition = Type.Union(
  [
    Type.Object(
      {
        $schema: Type.Optional(Type.String({ description: 'Path or URL of this JSON Schema, for editors.' })),
        collections: Type.Array(CollectionDefinition),
      },
      { additionalProperties: false },
    ),
    Type.Array(CollectionDefinition, { description: 'A PocketBase "Export collections" array.' }),
  ],
  { title: 'Galley schema file' },
);

export type SchemaFileDefinition = Static<typeof SchemaFileDefinition>;
export type CollectionDefinition = Static<typeof CollectionDefinition>;
