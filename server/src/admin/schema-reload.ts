/**
 * Live schema changes: a saved schema file (`serve --dev`) or a collections API write goes through one
 * path — load and validate, plan against the applied schema, apply in one transaction through the writer
 * (migrateDatabase), load secrets of new auth collections, then swap `core.schema` as one object. The swap
 * and the migration run behind the request gate, so no request straddles them. Changes run one at a time.
 *
 * Every server also follows the database: the applied schema's hash is polled (twice a second, and after a
 * request failed), and once another process (`galley migrate apply`) changed it the server switches, behind the
 * gate, to what the tables now are: the schema file when it matches the applied schema, else the applied schema
 * itself. A change that would lose data is never applied from the file: it is printed and waits for
 * `galley migrate apply --allow-data-loss`, which the server then picks up the same way.
 */
import { createDataLossError, createRefusedPlanError } from '../db/migrate/format-plan.ts';
import { hashCollections, readAppliedSchema, type AppliedSchema } from '../db/migrate/history.ts';
import { SCHEMA_TABLE } from '../db/meta-tables.ts';
import { migrateDatabase, previewMigration } from '../db/migrate/migrate-database.ts';
import { planMigration } from '../db/migrate/plan.ts';
import { loadSecretStore } from '../auth/secrets.ts';
import type { Core, SecretStore } from '../core.ts';
import { isSameJson } from '../lib/same-json.ts';
import { loadSchemaSource, type LoadSchemaOptions } from '../schema/load.ts';
import { buildFullLoadOptions } from '../rules/check-rule-compiles.ts';
import { buildSchema, type Schema } from '../schema/model.ts';
import { createRequestGate, type RequestGate } from './request-gate.ts';

export type ReloadOutcome =
  | { kind: 'unchanged' }
  | { kind: 'applied'; steps: string[] }
  /** the file does not load: its problems (with JSON pointers) */
  | { kind: 'invalid'; message: string }
  /** the plan loses data (waits for `migrate apply --allow-data-loss`) or the data refuses it */
  | { kind: 'waiting'; message: string };

export interface ApplyOptions {
  allowDataLoss: boolean;
  /** runs after the migration committed, just before the swap (the API moves the written file into place) */
  beforeSwap?: () => void;
}

export interface SchemaReloader {
  readonly gate: RequestGate;
  /** The last outcome of loading the file ('unchanged' before the first). */
  state(): ReloadOutcome;
  /** Load, plan and apply the schema file now (one at a time with every other change). */
  reloadFromFile(): Promise<ReloadOutcome>;
  /** Run `change` as the only schema change in progress. */
  serialize<T>(change: () => Promise<T>): Promise<T>;
  /** Inside `serialize`: plan and apply `next`, then swap it in; returns the steps that ran. */
  applySchema(next: Schema, opts: ApplyOptions): Promise<string[]>;
  /** Inside `serialize`: the file's state brought in first (as a save would), its outcome returned. */
  syncFromFile(): Promise<ReloadOutcome>;
  /** Read the applied schema's hash now and switch to it if another process changed it (single flight). */
  checkApplied(): Promise<void>;
  /** Call `listener` after each switch to a new schema (file reload, API write, another process's migration); returns its removal. */
  onSwap(listener: (schema: Schema) => void): () => void;
  /** Stop polling; resolves once a change in progress has finished. */
  close(): Promise<void>;
}

export interface ReloaderOptions {
  /** the schema file this server was started from (read to follow the database; written only in dev) */
  file: string | undefined;
  /** the applied schema's hash that `core.schema` matches (what the start migration returned) */
  appliedHash: string;
  /** `serve --dev`: the file is the source of truth, so after following the database the file is applied again */
  dev: boolean;
}

const POLL_MS = 500;

/** Loading as `serve` loads: view queries are run against SQLite before they are accepted, rules compiled as the database will. */
export function buildLiveLoadOptions(core: Core): LoadSchemaOptions {
  return buildFullLoadOptions(core.db.dialect);
}

/** One indexed row, the hash only: cheap enough to run twice a second on every server. */
async function readAppliedHash(core: Core): Promise<string | undefined> {
  const row = await core.db.read.selectFrom(SCHEMA_TABLE).select('hash').where('id', '=', 1).executeTakeFirst();
  return row ? String(row.hash) : undefined;
}

/** The schema file when it is exactly what the database now holds (keeps its renames etc.), else undefined. */
async function loadFileMatching(file: string | undefined, applied: AppliedSchema, options: LoadSchemaOptions): Promise<Schema | undefined> {
  if (!file) return undefined;
  try {
    const schema = await loadSchemaSource(file, options);
    return hashCollections(planMigration(applied.collections, schema.collections).collections) === applied.hash ? schema : undefined;
  } catch {
    return undefined;
  }
}

export function createSchemaReloader(core: Core, options: ReloaderOptions): SchemaReloader {
  const { file, dev } = options;
  const gate = createRequestGate(core.log);
  let queue: Promise<unknown> = Promise.resolve();
  let last: ReloadOutcome = { kind: 'unchanged' };
  let knownHash = options.appliedHash;
  let checking: Promise<void> | undefined;
  let closed = false;
  const swapListeners = new Set<(schema: Schema) => void>();

  const serialize = <T>(change: () => Promise<T>): Promise<T> => {
    const run = queue.then(change, change);
    queue = run.catch(() => undefined);
    return run;
  };

  const swap = (next: Schema, secrets: SecretStore): void => {
    // wire of the bag: both are read per use, so replacing them is the whole switch-over
    (core as { secrets: SecretStore }).secrets = secrets;
    core.schema = next;
    for (const listener of swapListeners) {
      try {
        listener(next);
      } catch (err) {
        core.log.warn('a schema swap listener failed', { error: String(err) });
      }
    }
  };

  async function applySchema(next: Schema, opts: ApplyOptions): Promise<string[]> {
    if (isSameJson(next.collections, core.schema.collections)) {
      opts.beforeSwap?.();
      return [];
    }
    // checked before closing the gate, so a refused change never holds requests up
    const plan = await previewMigration(core.db, next.collections);
    if (plan.steps.some((s) => s.refused)) throw createRefusedPlanError(plan.steps);
    if (plan.steps.some((s) => s.lossy) && !opts.allowDataLoss) throw createDataLossError(plan.steps);
    return gate.exclusive(async () => {
      const result = await migrateDatabase(core.db, next.collections, { allowDataLoss: opts.allowDataLoss });
      const secrets = await loadSecretStore(core.db, next);
      opts.beforeSwap?.();
      swap(next, secrets);
      knownHash = result.hash;
      return result.steps.map((s) => s.description);
    });
  }

  /** Inside `serialize`: another process migrated the database; serve what its tables now are. */
  async function followApplied(): Promise<void> {
    if (closed) return;
    const applied = await readAppliedSchema(core.db.read);
    if (!applied || applied.hash === knownHash) return;
    const fromFile = await loadFileMatching(file, applied, buildLiveLoadOptions(core));
    const next = fromFile ?? buildSchema(applied.collections);
    await gate.exclusive(async () => {
      swap(next, await loadSecretStore(core.db, next));
      knownHash = applied.hash;
    });
    if (fromFile) {
      if (last.kind === 'waiting') last = { kind: 'applied', steps: [] };
      core.log.info(`a migration was applied to the database by another process; now serving the schema file ${file}`);
      return;
    }
    core.log.warn(
      `a migration was applied to the database by another process; now serving the applied schema from data.db ` +
        `(${applied.collections.filter((c) => !c.system).length} collections)${file ? `, which differs from ${file}` : ''}`,
    );
    // dev: the file is the source of truth again (applied if safe, else it waits as a save would)
    if (dev && file) await syncFromFile();
  }

  /** Single flight: a poll or a failed request that finds one running shares it. */
  function checkApplied(): Promise<void> {
    if (closed) return Promise.resolve();
    checking ??= (async () => {
      try {
        if ((await readAppliedHash(core)) === knownHash) return;
        await serialize(followApplied);
      } catch (err) {
        if (!closed) core.log.warn('schema follow: reading the applied schema failed', { error: String(err) });
      } finally {
        checking = undefined;
      }
    })();
    return checking;
  }

  const poll = setInterval(() => void checkApplied(), POLL_MS);
  poll.unref?.();

  async function syncFromFile(): Promise<ReloadOutcome> {
    if (!file) return (last = { kind: 'unchanged' });
    let next: Schema;
    try {
      next = await loadSchemaSource(file, buildLiveLoadOptions(core));
    } catch (err) {
      last = { kind: 'invalid', message: (err as Error).message };
      core.log.error(`schema file not applied; still serving the schema loaded before.\n${last.message}`);
      return last;
    }
    const before = core.schema;
    const was = last.kind;
    try {
      const steps = await applySchema(next, { allowDataLoss: false });
      last = core.schema !== before ? { kind: 'applied', steps } : { kind: 'unchanged' };
      // after a broken save or a waiting change, say that the file is good again even when nothing is left to apply
      const again = was === 'invalid' ? ' (the file is valid again)' : was === 'waiting' ? ' (no change waits any more)' : '';
      if (steps.length > 0) core.log.info([`schema reloaded from ${file}: ${steps.length} step(s) applied${again}`, ...steps.map((s, i) => `  ${i + 1}. ${s}`)].join('\n'));
      else if (again) core.log.info(`schema file ${file}: nothing to apply, it matches the running schema${again}`);
      else core.log.debug(`schema file ${file} matches the running schema; nothing to apply`);
      return last;
    } catch (err) {
      const message = (err as Error).message;
      last = { kind: 'waiting', message };
      core.log.warn(
        `schema file not applied; still serving the schema loaded before.\n${message}\n` +
          `The server picks the change up once it is applied: galley migrate apply --allow-data-loss --schema ${file} --dir ${core.config.dir}`,
      );
      return last;
    }
  }

  const reloadFromFile = (): Promise<ReloadOutcome> => serialize(syncFromFile);

  return {
    gate,
    state: () => last,
    reloadFromFile,
    serialize,
    applySchema,
    syncFromFile,
    checkApplied,
    onSwap(listener) {
      swapListeners.add(listener);
      return () => void swapListeners.delete(listener);
    },
    async close() {
      closed = true;
      clearInterval(poll);
      await checking;
      await queue;
    },
  };
}
