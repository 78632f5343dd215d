/**
 * The PostgreSQL parity suites (test/postgres/*-parity.test.ts) run one scenario on a SQLite database and on a
 * PostgreSQL one, both given the same collections by applySchemaOnStart, and compare the answers.
 * `usePairedDatabases` opens the pair in a beforeAll and closes it (and removes the scratch directory) after the
 * file; `parityCore` is the minimal Core the record services need over either database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Core } from '../../src/core.ts';
import type { Database } from '../../src/db/database.ts';
import { applySchemaOnStart } from '../../src/db/migrate/apply-on-start.ts';
import { openDatabase, type OpenedDatabase } from '../../src/db/open.ts';
import { openPostgresDatabase, type OpenedPostgresDatabase } from '../../src/db/open-postgres-database.ts';
import { createEventBus, type EventBus } from '../../src/hooks/event-bus.ts';
import { createLogger } from '../../src/lib/log.ts';
import { createLocalStorage } from '../../src/lib/storage/local.ts';
import { loadSchema } from '../../src/schema/load.ts';
import type { Schema } from '../../src/schema/model.ts';
import { usePostgresDatabase } from './postgres.ts';

export interface PairedDatabases {
  /** The SQLite database (valid from the file's tests and later beforeAlls on). */
  lite(): OpenedDatabase;
  /** The PostgreSQL database, on a database of the file's own. */
  pg(): OpenedPostgresDatabase;
  /** A scratch directory removed after the file (the SQLite file lives in it). */
  dir(): string;
}

/** Inside a describePostgres: both databases with `collections` applied; closed after the file's own afterAlls. */
export function usePairedDatabases(name: string, collections: unknown): PairedDatabases {
  const database = usePostgresDatabase();
  let dir = '';
  let lite: OpenedDatabase | undefined;
  let pg: OpenedPostgresDatabase | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `galley-pg-${name}-`));
    lite = openDatabase({ file: join(dir, 'data.db'), synchronous: 'NORMAL', busyTimeoutMs: 5000 });
    await applySchemaOnStart(lite, loadSchema(collections));
    pg = await openPostgresDatabase({ url: database.get().url });
    // the migrations planner's PostgreSQL tables and indexes (db/migrate/postgres-schema-dialect.ts), through the Database
    await applySchemaOnStart(pg, loadSchema(collections));
  }, 60_000);

  afterAll(async () => {
    await lite?.close();
    await pg?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const opened = <T>(value: T | undefined): T => {
    if (!value) throw new Error('usePairedDatabases: not open yet (use it inside a test or a later beforeAll)');
    return value;
  };
  return { lite: () => opened(lite), pg: () => opened(pg), dir: () => opened(dir || undefined) };
}

/** A Core for the record services over `db`: a clock a second further per call, storage under `dir`, errors thrown. */
export function parityCore(db: Database, schema: Schema, dir: string, hooks: EventBus = throwingEventBus()): Core {
  let t = Date.parse('2026-01-01T00:00:00.000Z');
  return {
    config: { maxBodySize: 1 << 20 },
    db,
    schema,
    hooks,
    log: createLogger('error', () => {}),
    clock: () => new Date((t += 1000)),
    storage: createLocalStorage(join(dir, 'storage')),
    secrets: { tokenSecret: () => 'secret' },
  } as unknown as Core;
}

/** An event bus that rethrows a listener's error, so a scenario's hook failure fails the test. */
export function throwingEventBus(): EventBus {
  return createEventBus((err) => {
    throw err;
  });
}
