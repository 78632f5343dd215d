/**
 * THE runtime seam: the only file that names `bun:sqlite` or `better-sqlite3`.
 *
 * Both are wrapped into one tiny synchronous handle (exec / prepare → all, run / close) with a per-connection
 * LRU of prepared statements. The native module is loaded lazily through `createRequire` with a specifier
 * computed at run time, so `bun build --compile` never tries to bundle better-sqlite3 (and never evaluates
 * that branch under Bun), and Node never sees `bun:sqlite`.
 */
import { createRequire } from 'node:module';
import { LruMap } from '../lib/lru.ts';

export type Runtime = 'bun' | 'node';

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqliteStatement {
  /** True when the statement yields rows (SELECT, PRAGMA, … RETURNING). */
  readonly returnsRows: boolean;
  /** Rows as plain objects. Params are positional (`?`). */
  all(params?: readonly unknown[]): Record<string, unknown>[];
  run(params?: readonly unknown[]): RunResult;
}

/** What a connection has run since it opened (tests count the statements a request costs). */
export interface StatementCounts {
  /** statements executed: each exec, all and run */
  executed: number;
  /** statements prepared by SQLite (a miss of the connection's statement cache) */
  prepared: number;
}

export interface SqliteHandle {
  readonly file: string;
  readonly runtime: Runtime;
  /** Live counters of this connection (read them, never write them). */
  readonly counts: Readonly<StatementCounts>;
  /** Runs one statement without parameters or results (pragmas, DDL). Not cached. */
  exec(sql: string): void;
  /** A prepared statement from the connection's LRU cache (prepared on a miss). */
  prepare(sql: string): SqliteStatement;
  readonly inTransaction: boolean;
  close(): void;
}

interface NativeStatement {
  all(params: unknown[]): unknown[];
  run(params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  readonly reader?: boolean; // better-sqlite3
  readonly columnNames?: string[]; // bun:sqlite
  finalize?(): void; // bun:sqlite; better-sqlite3 finalizes on close/GC
}

interface NativeDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): NativeStatement;
  close(): void;
  readonly inTransaction: boolean;
}

type OpenNative = (file: string) => NativeDatabase;

export const STATEMENT_CACHE_SIZE = 500;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const NO_PARAMS: unknown[] = [];

export function detectRuntime(): Runtime {
  return typeof process !== 'undefined' && typeof process.versions?.bun === 'string' ? 'bun' : 'node';
}

/** The native module this runtime uses (tests spawn a child process that opens the same file with it). */
export function nativeModuleName(): string {
  return detectRuntime() === 'bun' ? 'bun:sqlite' : 'better-sqlite3';
}

/**
 * How a child process opens SQLite with this runtime's driver (db/sql-console.ts): the executable to run
 * (`process.execPath`: bun, node, or the compiled galley binary acting as bun) and the module it loads.
 */
export function describeChildDriver(): { runtime: Runtime; module: string } {
  const specifier = nativeModuleName();
  const runtime = detectRuntime();
  return { runtime, module: runtime === 'bun' ? specifier : createRequire(import.meta.url).resolve(specifier) };
}

let openNative: OpenNative | undefined;

function loadNative(): OpenNative {
  if (openNative) return openNative;
  const requireHere = createRequire(import.meta.url);
  const specifier = nativeModuleName(); // computed, so bundlers leave it alone
  if (detectRuntime() === 'bun') {
    const { Database } = requireHere(specifier) as { Database: new (f: string, o: object) => NativeDatabase };
    openNative = (file) => new Database(file, { create: true, readwrite: true, strict: true, safeIntegers: false });
  } else {
    const Database = requireHere(specifier) as new (f: string) => NativeDatabase;
    openNative = (file) => new Database(file);
  }
  return openNative;
}

/** Both drivers bind the same way: booleans as 0/1, undefined as NULL, out-of-range bigints refused. */
function toBindable(params: readonly unknown[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    switch (typeof v) {
      case 'string':
      case 'number':
        continue;
      case 'boolean':
        (out ??= params.slice())[i] = v ? 1 : 0;
        continue;
      case 'undefined':
        (out ??= params.slice())[i] = null;
        continue;
      case 'bigint':
        // bun:sqlite silently wraps these; better-sqlite3 throws. Throw on both.
        if (v > INT64_MAX || v < INT64_MIN) throw new RangeError(`parameter ${i + 1}: bigint out of 64-bit range`);
        continue;
      default:
        if (v === null || v instanceof Uint8Array) continue;
        throw new TypeError(`parameter ${i + 1}: cannot bind a value of type ${v?.constructor?.name ?? typeof v}`);
    }
  }
  return out ?? (params as unknown[]);
}

class Statement implements SqliteStatement {
  readonly returnsRows: boolean;
  constructor(
    readonly native: NativeStatement,
    private readonly counts: StatementCounts,
  ) {
    this.returnsRows = native.reader ?? (native.columnNames?.length ?? 0) > 0;
  }
  all(params: readonly unknown[] = NO_PARAMS): Record<string, unknown>[] {
    this.counts.executed++;
    return this.native.all(toBindable(params)) as Record<string, unknown>[];
  }
  run(params: readonly unknown[] = NO_PARAMS): RunResult {
    this.counts.executed++;
    const r = this.native.run(toBindable(params));
    return { changes: Number(r.changes), lastInsertRowid: r.lastInsertRowid };
  }
}

export interface HandleOptions {
  statementCacheSize?: number;
}

/** Opens (creating if needed) a SQLite file with the runtime's native driver. */
export function openSqliteHandle(file: string, opts: HandleOptions = {}): SqliteHandle {
  const native = loadNative()(file);
  const cache = new LruMap<string, Statement>(opts.statementCacheSize ?? STATEMENT_CACHE_SIZE, (s) => s.native.finalize?.());
  let closed = false;
  const counts: StatementCounts = { executed: 0, prepared: 0 };
  return {
    file,
    runtime: detectRuntime(),
    counts,
    exec(sql) {
      counts.executed++;
      native.exec(sql);
    },
    prepare(sql) {
      let stmt = cache.get(sql);
      if (stmt === undefined) {
        counts.prepared++;
        stmt = new Statement(native.prepare(sql), counts);
        cache.set(sql, stmt);
      }
      return stmt;
    },
    get inTransaction() {
      return native.inTransaction;
    },
    close() {
      if (closed) return;
      closed = true;
      // bun:sqlite closes lazily while statements live; finalize them so the last close checkpoints the WAL.
      cache.clear();
      native.close();
    },
  };
}
