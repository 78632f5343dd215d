/** Hand-built collection models for the migrate tests (the schema loader fills these in for real files). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { CollectionModel, FieldModel } from '../../schema/model.ts';
import { openDatabase, type OpenedDatabase } from '../open.ts';

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

/**
 * A fresh data.db in its own temp dir for every test of the calling file, closed and removed after it.
 * `use` receives each new database (assign it to the file's `db`).
 */
export function useFreshDatabase(use: (db: OpenedDatabase) => void, prefix = 'galley-'): void {
  let dir = '';
  let db: OpenedDatabase | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    db = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 1000 });
    use(db);
  });
  afterEach(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });
}
