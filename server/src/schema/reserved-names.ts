/**
 * Names a PostgreSQL database keeps for Galley beside the collections, besides the `_galley_` prefix every
 * database reserves (check-fields.ts): the request log's table and its indexes (logs/postgres-log-service.ts).
 * On SQLite they live in aux.db, so there a collection may be called `_logs`, as PocketBase allows (its `_logs`
 * is in auxiliary.db; it refuses only the name of a table in data.db). Tables and indexes share one namespace of
 * relations on PostgreSQL, so a collection and an index clash with either. Compared case-insensitively, as
 * collection names are. server/test/postgres/reserved-names.test.ts checks the list against a served database.
 */
import { parseIndexDefinition } from './index-sql.ts';
import type { CollectionModel } from './model.ts';
import type { SourcedCollection } from './normalize.ts';
import type { ProblemSink } from './problems.ts';

export interface ReservedNames {
  /** the database that keeps them, for messages */
  readonly database: string;
  /** relation name (lower case) → what it is */
  readonly relations: ReadonlyMap<string, string>;
}

export const POSTGRES_RESERVED_NAMES: ReservedNames = {
  database: 'PostgreSQL',
  relations: new Map([
    ['_logs', "Galley keeps its request log in the database's own _logs table"],
    ['_logs_pkey', "it is the primary key index of Galley's _logs table"],
    ['idx_logs_level', "it is an index of Galley's _logs table"],
    ['idx_logs_created', "it is an index of Galley's _logs table"],
  ]),
};

/** Why a collection may not be called `name` on that database, with the fix; undefined when it may. */
export function explainReservedCollectionName(name: string, reserved: ReservedNames): string | undefined {
  const why = reserved.relations.get(name.toLowerCase());
  if (why === undefined) return undefined;
  return `the collection name ${JSON.stringify(name)} is reserved on ${reserved.database}: ${why}. Rename the collection (with "renamedFrom": ${JSON.stringify(name)} where it already holds records)`;
}

/** Why an index may not be called `name` on that database, with the fix; undefined when it may. */
export function explainReservedIndexName(name: string, reserved: ReservedNames): string | undefined {
  const why = reserved.relations.get(name.toLowerCase());
  if (why === undefined) return undefined;
  return `the index name ${JSON.stringify(name)} is reserved on ${reserved.database}: ${why}. Rename the index`;
}

/** Every clash of these collections with the reserved names, each message naming its collection. */
export function listReservedNameClashes(collections: readonly CollectionModel[], reserved: ReservedNames): string[] {
  const out: string[] = [];
  for (const c of collections) {
    const named = explainReservedCollectionName(c.name, reserved);
    if (named) out.push(named);
    for (const sql of c.indexes) {
      const idx = parseIndexDefinition(sql);
      const indexed = idx ? explainReservedIndexName(idx.name, reserved) : undefined;
      if (indexed) out.push(`${c.name}: ${indexed}`);
    }
  }
  return out;
}

/** The same at load time, each problem at its place in the file. */
export function checkReservedNames(sourced: readonly SourcedCollection[], reserved: ReservedNames, sink: ProblemSink): void {
  for (const c of sourced) {
    const named = explainReservedCollectionName(c.model.name, reserved);
    if (named) sink.add([...c.path, 'name'], named);
    c.model.indexes.forEach((sql, i) => {
      const idx = parseIndexDefinition(sql);
      const indexed = idx ? explainReservedIndexName(idx.name, reserved) : undefined;
      if (indexed) sink.add([...c.path, 'indexes', i], indexed);
    });
  }
}
