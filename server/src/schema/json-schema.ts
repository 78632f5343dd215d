/**
 * The published JSON Schema of the schema file, generated from its TypeBox definitions. Field and
 * collection definitions go to `definitions` once and are referenced, so the file stays small;
 * draft-07 keywords only, which every editor understands.
 */
import type { TSchema } from '@sinclair/typebox';
import { buildFieldDefinition, COLLECTION_DEFINITIONS, SchemaFileDefinition } from './definition.ts';
import { fieldTypeNames } from './fields/registry.ts';

/** Where the examples point their `$schema` (the file sits next to them). */
export const JSON_SCHEMA_FILE_NAME = 'galley.schema.json';

type Json = Record<string, unknown>;
const toPlain = (s: TSchema): Json => JSON.parse(JSON.stringify(s)) as Json; // drops TypeBox's symbol keys
const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

export function generateSchemaJsonSchema(): Json {
  const definitions: Json = {};
  for (const type of fieldTypeNames()) definitions[`${type}Field`] = toPlain(buildFieldDefinition(type));
  definitions['field'] = { description: 'A field; "type" decides its options.', anyOf: fieldTypeNames().map((t) => ref(`${t}Field`)) };
  for (const [type, schema] of Object.entries(COLLECTION_DEFINITIONS)) {
    const plain = toPlain(schema);
    const props = plain['properties'] as Record<string, Json>;
    props['fields'] = { ...props['fields'], items: ref('field') };
    definitions[`${type}Collection`] = plain;
  }
  definitions['collection'] = { anyOf: Object.keys(COLLECTION_DEFINITIONS).map((t) => ref(`${t}Collection`)) };

  const [objectForm, arrayForm] = (SchemaFileDefinition.anyOf as TSchema[]).map(toPlain) as [Json, Json];
  const objectProps = objectForm['properties'] as Record<string, Json>;
  objectProps['collections'] = { ...objectProps['collections'], items: ref('collection') };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Galley schema file',
    description:
      'PocketBase collections: an "Export collections" array, or {"$schema", "collections": [...]}. ' +
      'Ids and system fields (id, created, updated, auth fields) may be left out.',
    anyOf: [objectForm, { ...arrayForm, items: ref('collection') }],
    definitions,
  };
}
