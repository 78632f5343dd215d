// A Galley with file fields on a fresh temp dir, its listener, and views of what its storage holds.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { settleFileRemovals } from '../../src/records/record-files.ts';
import { startTestGalley, type TestGalley } from '../helpers/test-galley.ts';

export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);

/** `docs`: a single image `cover` (≤ 2000 bytes, png/jpeg), up to 3 `attachments` (≤ 4000 bytes each). */
export const FILES_SCHEMA = {
  collections: [
    {
      name: 'docs',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: 'title != "deny"',
      updateRule: 'title != "locked"',
      deleteRule: '',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'cover', type: 'file', maxSelect: 1, maxSize: 2000, mimeTypes: ['image/png', 'image/jpeg'] },
        { name: 'attachments', type: 'file', maxSelect: 3, maxSize: 4000 },
      ],
    },
    {
      name: 'notes',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
      fields: [
        { name: 'doc', type: 'relation', collectionId: 'docs', maxSelect: 1, cascadeDelete: true },
        { name: 'file', type: 'file', maxSelect: 1, maxSize: 1000 },
      ],
    },
  ],
};

export interface FilesGalley extends TestGalley {
  url: string;
  docsId: string;
  /** every key the storage lists, sorted, after pending removals settle */
  keys(): Promise<string[]>;
  /** every file on disk under <dir>/storage, temp files included */
  diskFiles(): string[];
  read(key: string): Promise<Uint8Array | null>;
}

export async function startFilesGalley(schema: unknown = FILES_SCHEMA): Promise<FilesGalley> {
  const t = await startTestGalley(schema);
  const { url } = await t.galley.listen('127.0.0.1:0');
  const storage = t.galley.core.storage;
  const root = join(t.dir, 'storage');
  const walk = (dir: string): string[] => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names.flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : [relative(root, p).split(sep).join('/')];
    });
  };
  return {
    ...t,
    url,
    docsId: t.galley.core.schema.findCollection('docs')!.id,
    async keys() {
      await settleFileRemovals(storage);
      const out: string[] = [];
      for await (const o of storage.list('')) out.push(o.key);
      return out.sort();
    },
    diskFiles: () => walk(root).sort(),
    async read(key) {
      const o = await storage.get(key);
      return o ? new Uint8Array(await new Response(o.body).arrayBuffer()) : null;
    },
  };
}

/** The stored-name shape: snake_cased base, `_`, 10 random [a-z0-9], the extension. */
export const storedName = (base: string, ext: string) => new RegExp(`^${base}_[a-z0-9]{10}${ext.replace('.', '\\.')}$`);
