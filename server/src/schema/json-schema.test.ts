import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { SchemaFileDefinition } from './definition.ts';
import { fieldTypeNames } from './fields/registry.ts';
import { generateSchemaJsonSchema, JSON_SCHEMA_FILE_NAME } from './json-schema.ts';
import { loadSchemaFile } from './load.ts';

const examples = fileURLToPath(new URL('../../../schema-examples/', import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('published JSON Schema', () => {
  it('the committed file is the generated one (run scripts/write-json-schema.ts)', () => {
    expect(readJson(examples + JSON_SCHEMA_FILE_NAME)).toEqual(generateSchemaJsonSchema());
  });

  it('offers every field type with its own options, discriminated by "type"', () => {
    const defs = generateSchemaJsonSchema()['definitions'] as Record<string, { properties: Record<string, { const?: string }> }>;
    for (const type of fieldTypeNames()) {
      expect(defs[`${type}Field`]?.properties['type']?.const).toBe(type);
    }
    expect(Object.keys(defs['relationField']!.properties)).toEqual(expect.arrayContaining(['collectionId', 'cascadeDelete', 'minSelect', 'maxSelect']));
    expect(Object.keys(defs['textField']!.properties)).not.toContain('values');
    expect(Object.keys(defs['autodateField']!.properties)).not.toContain('required');
  });
});

describe('schema examples', () => {
  it.each(['blog.json', 'todo.json', 'shop.json'])('%s points at the JSON Schema, fits the definition and loads', (name) => {
    const file = readJson(examples + name);
    expect(file['$schema']).toBe(`./${JSON_SCHEMA_FILE_NAME}`);
    expect(Value.Check(SchemaFileDefinition, file)).toBe(true);
    expect(loadSchemaFile(examples + name).collections.length).toBeGreaterThan(1);
  });

  it('blog.json has what the engine issue asks for', () => {
    const schema = loadSchemaFile(examples + 'blog.json');
    const posts = schema.findCollection('posts')!;
    const users = schema.findCollection('users')!;
    const tags = schema.findCollection('tags')!;
    const f = (name: string) => posts.fields.find((x) => x.name === name)!;
    expect(f('author')).toMatchObject({ type: 'relation', collectionId: users.id, maxSelect: 1 });
    expect(f('tags')).toMatchObject({ type: 'relation', collectionId: tags.id });
    expect(f('tags')['maxSelect']).toBeGreaterThan(1);
    expect(f('status')).toMatchObject({ type: 'select', values: ['draft', 'published'] });
    expect(f('body').type).toBe('editor');
    expect(f('cover')).toMatchObject({ type: 'file', maxSelect: 1 });
    expect(f('created').type).toBe('autodate');
    expect(posts.listRule).toBe("status = 'published' || author = @request.auth.id");
    expect(posts.indexes).toContain('CREATE UNIQUE INDEX `idx_posts_slug` ON `posts` (`slug`)');
    const comments = schema.findCollection('comments')!;
    expect(comments.fields.find((x) => x.name === 'post')).toMatchObject({ collectionId: posts.id, cascadeDelete: true });
    expect([tags.listRule, tags.createRule]).toEqual(['', null]);
  });
});
