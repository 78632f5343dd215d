import { describe, expect, it } from 'vitest';
import { loadSchema, type LoadSchemaOptions } from './load.ts';
import { listReservedNameClashes, POSTGRES_RESERVED_NAMES } from './reserved-names.ts';
import { SchemaError } from './schema-error.ts';

function problemsOf(input: unknown, opts: LoadSchemaOptions): string[] {
  try {
    loadSchema(input, 'schema', opts);
    return [];
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

const onPostgres: LoadSchemaOptions = { reservedNames: POSTGRES_RESERVED_NAMES };
const logs = (name = '_logs', indexes: string[] = []) => ({ name, fields: [{ name: 'line', type: 'text' }], indexes });

describe('names a database keeps for Galley', () => {
  it('a collection may be called _logs where the request log lives elsewhere (SQLite: aux.db), as in PocketBase', () => {
    expect(problemsOf([logs()], {})).toEqual([]);
  });

  it('on PostgreSQL a collection called _logs (any case) is refused, naming it and the fix', () => {
    expect(problemsOf([{ name: 'posts', fields: [] }, logs('_Logs')], onPostgres)).toEqual([
      'collections/1/name: the collection name "_Logs" is reserved on PostgreSQL: Galley keeps its request log in the database\'s own _logs table. ' +
        'Rename the collection (with "renamedFrom": "_Logs" where it already holds records)',
    ]);
  });

  it("on PostgreSQL an index or a collection named as one of _logs' indexes is refused (tables and indexes share one namespace there)", () => {
    const input = [logs('notes', ['CREATE INDEX `idx_logs_created` ON `notes` (`line`)']), logs('idx_logs_level')];
    expect(problemsOf(input, onPostgres)).toEqual([
      'collections/0/indexes/0: the index name "idx_logs_created" is reserved on PostgreSQL: it is an index of Galley\'s _logs table. Rename the index',
      'collections/1/name: the collection name "idx_logs_level" is reserved on PostgreSQL: it is an index of Galley\'s _logs table. ' +
        'Rename the collection (with "renamedFrom": "idx_logs_level" where it already holds records)',
    ]);
    expect(problemsOf([logs('logs', ['CREATE INDEX `idx_logs_line` ON `logs` (`line`)'])], onPostgres)).toEqual([]);
  });

  it('lists the clashes of an applied schema by collection (migrate-data to PostgreSQL)', () => {
    const schema = loadSchema([logs(), logs('notes', ['CREATE INDEX `_logs_pkey` ON `notes` (`line`)'])]);
    expect(listReservedNameClashes(schema.collections, POSTGRES_RESERVED_NAMES)).toEqual([
      'the collection name "_logs" is reserved on PostgreSQL: Galley keeps its request log in the database\'s own _logs table. Rename the collection (with "renamedFrom": "_logs" where it already holds records)',
      'notes: the index name "_logs_pkey" is reserved on PostgreSQL: it is the primary key index of Galley\'s _logs table. Rename the index',
    ]);
  });
});
