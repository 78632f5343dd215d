// Write-back golden tests: what the collections API writes to a schema file loads back to the same schema.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toCollectionJson } from './collection-json.ts';
import { loadSchema } from './load.ts';
import { minimizeCollection } from './minimize-collection.ts';
import { compactSchemaDocument, parseSchemaDocument, renderSchemaDocument, stageSchemaFile, toSchemaInput } from './write-schema-file.ts';

const read = (rel: string) => JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as unknown;
const SOURCES: Array<[string, unknown]> = [
  ['blog.json', read('../../../schema-examples/blog.json')],
  ['todo.json', read('../../../schema-examples/todo.json')],
  ['shop.json', read('../../../schema-examples/shop.json')],
  ['a PocketBase export', read('../../test/fixtures/pocketbase-export.json')],
];

/** Every entry written minimal, as if each had gone through the API. */
function writeAll(input: unknown): { text: string; doc: ReturnType<typeof parseSchemaDocument> } {
  const doc = parseSchemaDocument(input);
  const { document } = compactSchemaDocument(doc, new Set(doc.collections.map((_, i) => i)), 'test');
  return { text: renderSchemaDocument(document), doc: document };
}

describe('write-back round-trips: load(write(x)) == load(x)', () => {
  it.each(SOURCES)('%s', (_name, input) => {
    const original = loadSchema(input);
    const { text } = writeAll(input);
    expect(loadSchema(JSON.parse(text)).collections).toEqual(original.collections);
    // written again, the text does not move (stable key order, nothing left to drop)
    expect(writeAll(JSON.parse(text)).text).toBe(text);
  });

  it.each(SOURCES)('%s: each collection written minimal on its own loads back (no fallback to the full form)', (_name, input) => {
    const schema = loadSchema(input);
    const doc = parseSchemaDocument(input);
    const models = schema.collections.slice(schema.collections.length - doc.collections.length);
    const minimal = { ...doc, collections: models.map((m) => minimizeCollection(m, schema)) };
    expect(loadSchema(toSchemaInput(minimal)).collections).toEqual(schema.collections);
  });

  it('the PocketBase API form of every collection (what the SDK sends back) loads back too', () => {
    const schema = loadSchema(SOURCES[3]![1]);
    expect(loadSchema(schema.collections.map(toCollectionJson)).collections).toEqual(schema.collections);
  });
});

describe('the written text', () => {
  it('is 2-space JSON in a stable order, leaving out only what the loader derives', () => {
    const { text } = writeAll({
      $schema: './galley.schema.json',
      collections: [
        { type: 'auth', name: 'users', listRule: 'id = @request.auth.id', fields: [{ type: 'text', name: 'nick', max: 40, required: false }], passwordAuth: { identityFields: ['email', 'nick'] }, indexes: ['CREATE UNIQUE INDEX `idx_users_nick` ON `users` (`nick`)'] },
        { name: 'posts', fields: [{ type: 'relation', name: 'author', collectionId: 'users', maxSelect: 1, hidden: false }, { type: 'text', name: 'title' }], indexes: [] },
      ],
    });
    expect(text).toMatchInlineSnapshot(`
      "{
        "$schema": "./galley.schema.json",
        "collections": [
          {
            "name": "users",
            "type": "auth",
            "listRule": "id = @request.auth.id",
            "viewRule": null,
            "createRule": null,
            "updateRule": null,
            "deleteRule": null,
            "authRule": "",
            "manageRule": null,
            "fields": [
              {
                "name": "nick",
                "type": "text",
                "max": 40
              }
            ],
            "indexes": [
              "CREATE UNIQUE INDEX \`idx_users_nick\` ON \`users\` (\`nick\`)"
            ],
            "passwordAuth": {
              "enabled": true,
              "identityFields": [
                "email",
                "nick"
              ]
            }
          },
          {
            "name": "posts",
            "type": "base",
            "listRule": null,
            "viewRule": null,
            "createRule": null,
            "updateRule": null,
            "deleteRule": null,
            "fields": [
              {
                "name": "author",
                "type": "relation",
                "collectionId": "users",
                "maxSelect": 1
              },
              {
                "name": "title",
                "type": "text"
              }
            ]
          }
        ]
      }
      "
    `);
  });

  it('keeps the ids and every field of a collection that is not in the hand-written shape', () => {
    const schema = loadSchema([{ id: 'my_posts', name: 'posts', type: 'base', fields: [{ id: 'f1', name: 'id', type: 'text', primaryKey: true, required: true, system: true, min: 15, max: 15, pattern: '^[a-z0-9]+$', autogeneratePattern: '[a-z0-9]{15}' }, { name: 'title', type: 'text' }] }]);
    const out = minimizeCollection(schema.findCollection('posts')!, schema);
    expect(out['id']).toBe('my_posts');
    expect((out['fields'] as Array<{ name: string }>).map((f) => f.name)).toEqual(['id', 'title']);
  });

  it('keeps rename hints and the untouched entries exactly as written', () => {
    const untouched = { name: 'a', fields: [{ name: 'x', type: 'text', required: false, hidden: false }] };
    const doc = parseSchemaDocument([untouched, { name: 'b', renamedFrom: 'old_b', fields: [{ name: 'y', type: 'text', renamedFrom: 'z' }] }]);
    const { document } = compactSchemaDocument(doc, new Set([1]), 'test');
    expect(document.form).toBe('array');
    expect(document.collections[0]).toBe(untouched);
    expect(document.collections[1]).toMatchObject({ name: 'b', renamedFrom: 'old_b', fields: [{ name: 'y', type: 'text', renamedFrom: 'z' }] });
  });

  it('refuses a document that does not load, with the problems and their paths', () => {
    const doc = parseSchemaDocument({ collections: [{ name: 'a', fields: [{ name: 'x', type: 'txt' }] }] });
    expect(() => compactSchemaDocument(doc, new Set([0]), 'schema.json')).toThrow(/collections\/0\/fields\/0\/type: "txt" is not a field type/);
  });
});

describe('stageSchemaFile', () => {
  it('writes beside the file, and only commit() replaces it; discard() leaves nothing behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'galley-stage-'));
    try {
      const file = join(dir, 'schema.json');
      writeFileSync(file, 'old');
      const staged = stageSchemaFile(file, 'new');
      expect(readFileSync(file, 'utf8')).toBe('old');
      staged.commit();
      staged.discard();
      expect(readFileSync(file, 'utf8')).toBe('new');
      stageSchemaFile(file, 'newer').discard();
      expect(readFileSync(file, 'utf8')).toBe('new');
      expect(readdirSync(dir)).toEqual(['schema.json']);
      expect(existsSync(file)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
