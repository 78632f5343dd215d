// Files tests: a Galley on a temp dir, records whose file fields are filled directly (row + bytes in
// core.storage, independent of multipart uploads), and a request helper that keeps the body as bytes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Jimp } from 'jimp';
import { createGalley, type GalleyOptions } from '../../src/index.ts';
import type { Logger } from '../../src/lib/log.ts';
import { callGalley, type TestGalley } from '../helpers/test-galley.ts';
import { dropTestDatabaseOf, testDatabaseFor } from '../helpers/test-database.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

export interface FilesGalley extends TestGalley {
  /** the log lines written at warn and above */
  warnings: string[];
  /** put `bytes` at the record's `name` and add `name` to its file field (appended when multi-valued) */
  addFile(collection: string, recordId: string, field: string, name: string, bytes: Uint8Array | string): Promise<void>;
  /** GET (or another method) with the body kept as bytes */
  fetchFile(path: string, init?: { method?: string; headers?: Record<string, string> }): Promise<FileAnswer>;
}

export interface FileAnswer {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  text: string;
  json: any;
}

export async function startFilesGalley(schema: unknown, options: GalleyOptions = {}): Promise<FilesGalley> {
  const dir = mkdtempSync(join(tmpdir(), 'galley-files-'));
  const warnings: string[] = [];
  const logger: Logger = createTestLogger('warn', (line: string) => void warnings.push(line));
  const database = await testDatabaseFor(dir);
  const galley = await createGalley({ env: {}, logger, database, ...options, dir, schema });
  return {
    galley,
    dir,
    database,
    warnings,
    call: (method, path, opts) => callGalley(galley, method, path, opts),
    async close() {
      await galley.close();
      await dropTestDatabaseOf(dir);
      rmSync(dir, { recursive: true, force: true });
    },
    async addFile(collectionName, recordId, fieldName, name, bytes) {
      const core = galley.core;
      const collection = core.schema.findCollection(collectionName)!;
      const field = collection.fields.find((f) => f.name === fieldName)!;
      const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
      await core.storage.put(`${collection.id}/${recordId}/${name}`, data);
      const multi = Number(field['maxSelect'] ?? 0) > 1;
      await core.db.writer.run(async (tx) => {
        const row = (await tx.db.selectFrom(collection.name).select(fieldName).where('id', '=', recordId).executeTakeFirstOrThrow()) as Record<string, string>;
        const value = multi ? JSON.stringify([...(JSON.parse(row[fieldName] || '[]') as string[]), name]) : name;
        await tx.db.updateTable(collection.name).set({ [fieldName]: value }).where('id', '=', recordId).execute();
      });
    },
    async fetchFile(path, init = {}) {
      const res = await galley.handle(new Request('http://127.0.0.1:8090' + path, { method: init.method ?? 'GET', headers: init.headers }));
      const bytes = new Uint8Array(await res.arrayBuffer());
      const text = new TextDecoder().decode(bytes);
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, bytes, text, json };
    },
  };
}

/** A solid-colour image of the given size, encoded as `mime`. */
export async function makeImage(width: number, height: number, mime: 'image/png' | 'image/jpeg' | 'image/gif' = 'image/png'): Promise<Uint8Array<ArrayBuffer>> {
  const image = new Jimp({ width, height, color: 0x3366ccff });
  // a red top fifth and a green bottom fifth, so crops from the top and from the bottom can be told apart
  const band = Math.max(1, Math.floor(height / 5));
  for (let y = 0; y < band; y++) {
    for (let x = 0; x < width; x++) {
      image.setPixelColor(0xff0000ff, x, y);
      image.setPixelColor(0x00ff00ff, x, height - 1 - y);
    }
  }
  return new Uint8Array(await image.getBuffer(mime));
}

export async function readImageDimensions(bytes: Uint8Array): Promise<{ width: number; height: number }> {
  const image = await Jimp.fromBuffer(Buffer.from(bytes));
  return { width: image.width, height: image.height };
}
