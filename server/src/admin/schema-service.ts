/**
 * Whether and how this server changes its schema while running: in `serve --dev` (watch the file and
 * write collections API changes back to it) or with `allowCollectionWrites` (API writes only). Otherwise
 * there is no service, the schema never changes, and requests skip the gate.
 */
import type { Core } from '../core.ts';
import type { FetchHandler } from './request-gate.ts';
import { createSchemaReloader, type SchemaReloader } from './schema-reload.ts';
import { watchSchemaFile, type SchemaWatcher } from './schema-watch.ts';

export interface SchemaService {
  readonly reloader: SchemaReloader;
  /** the schema file changes are written to (undefined: the schema did not come from a file) */
  readonly file: string | undefined;
  close(): Promise<void>;
}

const services = new WeakMap<Core, SchemaService>();

export function findSchemaService(core: Core): SchemaService | undefined {
  return services.get(core);
}

/** The service when the config allows live changes (the file watcher started in dev mode), else undefined. */
export async function startSchemaService(core: Core): Promise<SchemaService | undefined> {
  const { dev, allowCollectionWrites, schemaFile } = core.config;
  if (!dev && !allowCollectionWrites) return undefined;
  const reloader = createSchemaReloader(core, schemaFile);
  let watcher: SchemaWatcher | undefined;
  if (dev && schemaFile) {
    watcher = await watchSchemaFile(schemaFile, () => void reloader.reloadFromFile());
    core.log.info(`dev: watching ${schemaFile}; saved changes apply live (changes that lose data wait for galley migrate apply --allow-data-loss)`);
  }
  const service: SchemaService = {
    reloader,
    file: schemaFile,
    async close() {
      await watcher?.close();
      await reloader.close();
    },
  };
  services.set(core, service);
  return service;
}

/** Requests pass the gate only where the schema can change. */
export function gateRequests<P>(core: Core, handler: FetchHandler<P>): FetchHandler<P> {
  const service = services.get(core);
  return service ? service.reloader.gate.wrap(handler) : handler;
}
