/**
 * How this server's schema changes while it runs. Every server follows the database (a `galley migrate apply`
 * from another process is picked up behind the request gate); `serve --dev` also watches the schema file, and
 * `--dev` or `allowCollectionWrites` let the collections API write changes back to it.
 */
import type { Core } from '../core.ts';
import type { Database } from '../db/database.ts';
import { readAppliedSchema } from '../db/migrate/history.ts';
import { buildSchema, type Schema } from '../schema/model.ts';
import { listBuiltinCollections, SUPERUSERS_NAME } from '../schema/system-collections.ts';
import type { RequestGate } from './request-gate.ts';
import { createSchemaReloader, type SchemaReloader } from './schema-reload.ts';
import { watchSchemaFile, type SchemaWatcher } from './schema-watch.ts';

export interface SchemaService {
  readonly reloader: SchemaReloader;
  /** the schema file collections API changes are written to (undefined: API writes are off, or no file) */
  readonly file: string | undefined;
  close(): Promise<void>;
}

/** The schema service createGalley started for `core` (held as `core.schemaService`). */
export function findSchemaService(core: Core): SchemaService | undefined {
  return core.schemaService;
}

/** Starts following the database; `appliedHash` is the applied schema `core.schema` matches now. */
export async function startSchemaService(core: Core, appliedHash: string): Promise<SchemaService> {
  const { dev, allowCollectionWrites, schemaFile } = core.config;
  const reloader = createSchemaReloader(core, { file: schemaFile, appliedHash, dev });
  let watcher: SchemaWatcher | undefined;
  if (dev && schemaFile) {
    watcher = await watchSchemaFile(schemaFile, () => void reloader.reloadFromFile());
    core.log.debug(`dev: watching ${schemaFile}; saved changes apply live (changes that lose data wait for galley migrate apply --allow-data-loss)`);
  }
  const service: SchemaService = {
    reloader,
    file: dev || allowCollectionWrites ? schemaFile : undefined,
    async close() {
      await watcher?.close();
      await reloader.close();
    },
  };
  return service;
}

/**
 * Requests pass the gate, so a schema switch never lands mid-request (the server's one wrapper in index.ts runs
 * them through `gate`). An answer that may come from a table that no longer matches (400 or 5xx: SQLite's "no
 * such column" is an unclassified 400) checks the database at once: `afterAnswer`, called once the request left.
 */
export interface SchemaGate {
  readonly gate: RequestGate;
  afterAnswer(status: number): void;
}

export function findSchemaGate(core: Core): SchemaGate | undefined {
  const service = core.schemaService;
  if (!service) return undefined;
  return {
    gate: service.reloader.gate,
    afterAnswer(status) {
      if (status === 400 || status >= 500) void service.reloader.checkApplied();
    },
  };
}

/**
 * Started without a schema: serve what data.db holds (its applied schema), with this version's built-in system
 * collections (so their upgrades still apply) and the stored `_superusers` (it may carry an export's extra fields).
 * Undefined for a database no schema was ever applied to.
 */
export async function readStartSchemaFromDatabase(db: Database): Promise<Schema | undefined> {
  const applied = await readAppliedSchema(db.read);
  if (!applied) return undefined;
  const builtins = new Map(listBuiltinCollections().map((c) => [c.name, c]));
  const missing = [...builtins.values()].filter((b) => !applied.collections.some((c) => c.name === b.name));
  return buildSchema([...missing, ...applied.collections.map((c) => (c.name !== SUPERUSERS_NAME && builtins.get(c.name)) || c)]);
}
