/**
 * Live schema changes: a saved schema file (`serve --dev`) or a collections API write goes through one
 * path — load and validate, plan against the applied schema, apply in one transaction through the writer
 * (migrateDatabase), load secrets of new auth collections, then swap `core.schema` as one object. The swap
 * and the migration run behind the request gate, so no request straddles them. Changes run one at a time.
 *
 * A change that would lose data is never applied from the file: it is printed and waits for
 * `galley migrate apply --allow-data-loss`; meanwhile the applied schema's hash is polled, and once another
 * process has applied it the server reloads the file by itself (a later save does the same).
 */
import { createDataLossError, createRefusedPlanError } from '../db/migrate/format-plan.ts';
import { checkPlan } from '../db/migrate/check-plan.ts';
import { readAppliedSchema } from '../db/migrate/history.ts';
import { migrateDatabase } from '../db/migrate/migrate-database.ts';
import { planMigration } from '../db/migrate/plan.ts';
import { loadSecretStore } from '../auth/secrets.ts';
import type { Core, SecretStore } from '../core.ts';
import { isSameJson } from '../lib/same-json.ts';
import { loadSchemaFile, type LoadSchemaOptions } from '../schema/load.ts';
import { FULL_LOAD_OPTIONS } from '../rules/check-rule-compiles.ts';
import type { Schema } from '../schema/model.ts';
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
  /** Stop polling; resolves once a change in progress has finished. */
  close(): Promise<void>;
}

const POLL_MS = 500;

/** Loading as `serve` loads: view queries are run against SQLite before they are accepted. */
export const LIVE_LOAD_OPTIONS: LoadSchemaOptions = FULL_LOAD_OPTIONS;

export function createSchemaReloader(core: Core, file: string | undefined): SchemaReloader {
  const gate = createRequestGate(core.log);
  let queue: Promise<unknown> = Promise.resolve();
  let last: ReloadOutcome = { kind: 'unchanged' };
  let poll: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const serialize = <T>(change: () => Promise<T>): Promise<T> => {
    const run = queue.then(change, change);
    queue = run.catch(() => undefined);
    return run;
  };

  const swap = (next: Schema, secrets: SecretStore): void => {
    // wire of the bag: both are read per use, so replacing them is the whole switch-over
    (core as { secrets: SecretStore }).secrets = secrets;
    core.schema = next;
  };

  async function applySchema(next: Schema, opts: ApplyOptions): Promise<string[]> {
    if (isSameJson(next.collections, core.schema.collections)) {
      opts.beforeSwap?.();
      return [];
    }
    // checked before closing the gate, so a refused change never holds requests up
    const applied = await readAppliedSchema(core.db.read);
    const plan = await checkPlan(core.db.read, planMigration(applied?.collections ?? [], next.collections));
    if (plan.steps.some((s) => s.refused)) throw createRefusedPlanError(plan.steps);
    if (plan.steps.some((s) => s.lossy) && !opts.allowDataLoss) throw createDataLossError(plan.steps);
    return gate.exclusive(async () => {
      const result = await migrateDatabase(core.db, next.collections, { allowDataLoss: opts.allowDataLoss });
      const secrets = await loadSecretStore(core.db, next);
      opts.beforeSwap?.();
      swap(next, secrets);
      return result.steps.map((s) => s.description);
    });
  }

  function stopPolling(): void {
    if (poll) clearInterval(poll);
    poll = undefined;
  }

  /** While a data-losing change waits, notice when another process applies a migration. */
  async function startPolling(): Promise<void> {
    stopPolling();
    if (closed) return;
    const since = (await readAppliedSchema(core.db.read))?.hash;
    if (closed) return;
    poll = setInterval(() => {
      void readAppliedSchema(core.db.read)
        .then((now) => {
          if (closed || !poll || now?.hash === since) return;
          stopPolling();
          core.log.info('a migration was applied to the database; reloading the schema file');
          return reloadFromFile();
        })
        .catch((err: unknown) => core.log.warn('schema reload: reading the applied schema failed', { error: String(err) }));
    }, POLL_MS);
    poll.unref?.();
  }

  async function syncFromFile(): Promise<ReloadOutcome> {
    if (!file) return (last = { kind: 'unchanged' });
    stopPolling();
    let next: Schema;
    try {
      next = loadSchemaFile(file, LIVE_LOAD_OPTIONS);
    } catch (err) {
      last = { kind: 'invalid', message: (err as Error).message };
      core.log.error(`schema file not applied; still serving the schema loaded before.\n${last.message}`);
      return last;
    }
    const before = core.schema;
    try {
      const steps = await applySchema(next, { allowDataLoss: false });
      last = core.schema !== before ? { kind: 'applied', steps } : { kind: 'unchanged' };
      if (last.kind === 'unchanged') core.log.debug(`schema file ${file} matches the running schema; nothing to apply`);
      if (steps.length > 0) core.log.info([`schema reloaded from ${file}: ${steps.length} step(s) applied`, ...steps.map((s, i) => `  ${i + 1}. ${s}`)].join('\n'));
      return last;
    } catch (err) {
      const message = (err as Error).message;
      last = { kind: 'waiting', message };
      core.log.warn(
        `schema file not applied; still serving the schema loaded before.\n${message}\n` +
          `The server picks the change up once it is applied: galley migrate apply --allow-data-loss --schema ${file} --dir ${core.config.dir}`,
      );
      await startPolling();
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
    async close() {
      closed = true;
      stopPolling();
      await queue;
      stopPolling();
    },
  };
}
