/**
 * The write job the current async call chain runs inside, if any (AsyncLocalStorage, in Bun and Node).
 * It lets `writer.run` called from inside a job run the inner job inline in a savepoint of the same
 * transaction (a batch of record writes is one transaction), and lets `db.read` inside a job read
 * through the job's connection, so a job sees its own uncommitted writes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely } from 'kysely';

/** Alive while its job runs and every enclosing job still runs. */
export interface ScopeToken {
  active: boolean;
  readonly parent: ScopeToken | null;
}

export interface WriteScope {
  /** The writer whose job this is (a scope of one database never serves another). */
  readonly owner: object;
  readonly token: ScopeToken;
  /** The job's Kysely: the writer connection, inside the job's savepoint. */
  readonly db: Kysely<any>;
  /** Callbacks of this job, run by the outermost job's COMMIT or rollback. */
  readonly afterCommit: Array<() => void>;
  readonly afterRollback: Array<() => void>;
}

const storage = new AsyncLocalStorage<WriteScope>();

export function isTokenLive(token: ScopeToken): boolean {
  for (let t: ScopeToken | null = token; t; t = t.parent) if (!t.active) return false;
  return true;
}

/** The scope of `owner`'s job this call chain runs in (live or already ended), or undefined. */
export function findWriteScope(owner: object): WriteScope | undefined {
  const scope = storage.getStore();
  return scope?.owner === owner ? scope : undefined;
}

/** The Kysely of `owner`'s job this call chain runs in, while that job is live. */
export function findScopedKysely(owner: object): Kysely<any> | undefined {
  const scope = findWriteScope(owner);
  return scope && isTokenLive(scope.token) ? scope.db : undefined;
}

export function runInWriteScope<T>(scope: WriteScope, fn: () => Promise<T>): Promise<T> {
  return storage.run(scope, fn);
}

/** Runs `fn` with no write scope (the writer's own flushes must not inherit a caller's job). */
export function runOutsideWriteScope(fn: () => void): void {
  storage.exit(fn);
}
