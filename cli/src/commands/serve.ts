import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Galley, renderTypesModule, Schema } from '@galley/server';
import { embeddedDashboardFiles } from '../dashboard-embed.ts';
import { createDatabaseOption, createDirOption, ENV_HTTP, ENV_SCHEMA, ENV_SYNCHRONOUS } from '../options.ts';
import { describeOwnCommand, formatServeBanner } from './serve-banner.ts';
import { addMailOptions, readMailSettings, type MailFlags } from './serve-mail.ts';
import { describeSchemaPath, writeTypesFile } from './types.ts';

interface ServeOptions extends MailFlags {
  http: string;
  dir: string;
  schema?: string;
  dev?: boolean;
  allowCollectionWrites?: boolean;
  allowSharedDir?: boolean;
  synchronous?: 'FULL' | 'NORMAL';
  types?: string;
  hooks?: string;
  database?: string;
  poolSize?: number;
}

/** A close that hangs (a stuck request) must not keep a stopping server alive forever. */
const SHUTDOWN_DEADLINE_MS = 10_000;

function parsePoolSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('a whole number from 1 to 1000.');
  return n;
}

function parseSynchronous(value: string): 'FULL' | 'NORMAL' {
  const mode = value.toUpperCase();
  if (mode !== 'FULL' && mode !== 'NORMAL') throw new InvalidArgumentError('use FULL or NORMAL.');
  return mode;
}

export function addServeCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description('start the web server: REST API under /api/')
    .addOption(new Option('--http <host:port>', 'address to listen on').default('127.0.0.1:8090').env(ENV_HTTP))
    .addOption(createDirOption())
    .addOption(createDatabaseOption())
    .addOption(new Option('--pool-size <n>', 'most connections to PostgreSQL this server opens (default 10)').env('GALLEY_POOL_SIZE').argParser(parsePoolSize))
    .addOption(new Option('--schema <file>', 'the schema file to serve (JSON, or TypeScript: .ts/.mts)').env(ENV_SCHEMA))
    .option('--dev', 'watch the schema file and apply safe changes live; the collections API writes back to it (a JSON file; a TypeScript one is never rewritten)')
    .option('--allow-collection-writes', 'let superusers change collections through the API, written back to the schema file (env GALLEY_ALLOW_COLLECTION_WRITES; on with --dev)')
    .addOption(new Option('--hooks <file>', 'the server hooks file (TypeScript; default: galley.hooks.ts beside the schema file); reloaded on change with --dev').env('GALLEY_HOOKS'))
    .option('--types <file>', 'write the schema as a TypeScript const module (as `galley types` does) at start and again whenever it changes')
    .option('--allow-shared-dir', 'start even though another Galley server holds the data directory (its .lock file)')
    .addOption(
      new Option('--synchronous <mode>', 'SQLite synchronous mode: FULL (default, durable) or NORMAL (faster, can lose the last commits on power loss)')
        .env(ENV_SYNCHRONOUS)
        .argParser(parseSynchronous),
    );
  addMailOptions(serve).action(async (opts: ServeOptions) => {
    await serveGalley(opts);
  });
}

async function serveGalley(opts: ServeOptions): Promise<void> {
  // loaded here so --help and --version stay instant
  const { createGalley, listSuperusersIn, renderTypesModule } = await import('@galley/server');
  const galley = await createGalley({
    dir: opts.dir,
    database: opts.database,
    poolSize: opts.poolSize,
    schemaFile: opts.schema,
    http: opts.http,
    synchronous: opts.synchronous,
    dev: opts.dev ?? false,
    allowCollectionWrites: opts.allowCollectionWrites,
    allowSharedDir: opts.allowSharedDir,
    settings: readMailSettings(opts),
    dashboardFiles: embeddedDashboardFiles(),
    onSchemaChange: opts.types ? createTypesWriter(renderTypesModule, opts.types, opts.schema) : undefined,
    hooks: opts.hooks,
  });
  const stopped = waitForShutdown(galley);
  // a busy port ends the command: close first, so the database is closed and the directory's lock given back
  const { url } = await galley.listen().catch(async (err: unknown) => {
    await galley.close();
    throw err;
  });
  restoreJitPolicy();
  const { config, schema } = galley.core;
  const superusers = (await listSuperusersIn(galley.core.db)).length;
  const dashboard = config.dashboardFiles !== undefined || config.dashboardDir !== undefined;
  const banner = formatServeBanner({
    url,
    dir: resolve(opts.dir),
    dirArg: opts.dir,
    database: config.database ? { masked: config.database.url.masked, poolSize: config.database.poolSize } : undefined,
    schemaFile: config.schemaFile,
    schemaSource: galley.startReport.schemaSource,
    collections: schema.collections.filter((c) => !c.system),
    appliedOnStart: galley.startReport.appliedOnStart,
    dev: config.dev,
    superusers,
    dashboard,
    // bound to this start: a restart issues a new one; refused once any superuser exists
    installerToken: dashboard && superusers === 0 ? galley.core.installer.issueToken().token : undefined,
    command: describeOwnCommand(process.execPath, process.cwd(), process.env['PATH'] ?? ''),
  });
  console.log(banner.join('\n'));
  await stopped;
}

/** `--types FILE`: the served schema's types module, written at start and after every schema switch when its text changes. */
function createTypesWriter(render: typeof renderTypesModule, out: string, schemaFile: string | undefined): (schema: Schema) => void {
  const source = {
    schemaFile: schemaFile ? describeSchemaPath(schemaFile, out) : 'the database',
    command: `galley types${schemaFile ? ` --schema ${schemaFile}` : ''} --out ${out}`,
  };
  const path = resolve(out);
  return (schema) => {
    if (writeTypesFile(path, render(schema, source))) console.error(`types: wrote ${out}`);
  };
}

/**
 * The binary starts with the JIT held back (scripts/build.ts START_JIT_POLICY): the start's run-once code stays in
 * the interpreter. Requests get the normal tier-up from here on.
 */
function restoreJitPolicy(): void {
  if (typeof Bun !== 'undefined') Bun.unsafe.setJITPolicy(1);
}

/** Resolves once SIGINT/SIGTERM has closed the server (no new requests, in-flight ones finished, db closed). */
function waitForShutdown(galley: Galley): Promise<void> {
  return new Promise((resolve, reject) => {
    let closing = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      // Ctrl-C reaches the whole process group and wrappers forward it too: act on the first one only.
      if (closing) return;
      closing = true;
      console.error(`${signal} received, shutting down…`);
      setTimeout(() => {
        console.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000}s; exiting`);
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
      galley.close().then(resolve, reject);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
