/**
 * The record families of a hooks registry (PocketBase's JS hook names) and the pipeline points that trigger them
 * (`recordHookPoints`, swapped into `EventBus.recordHooks` with the registry). Families:
 * - request: onRecord{Create,Update,Delete,View,List}Request, before the write is queued (may be async, change
 *   the body through `e.record.set`, answer with `return e.json(status, body)` without `e.next()`, or throw);
 * - model: onRecordCreate / onRecordUpdate / onRecordDelete around the write, inside its savepoint; their chain's
 *   end runs onRecordValidate (create, update), then the write: `e.record` is the row, code after `e.next()`
 *   sees it written, a throw before or after undoes this write only;
 * - after commit: onRecordAfter{Create,Update,Delete}Success, awaited before the response, errors only logged.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../lib/log.ts';
import type { CollectionModel } from '../schema/model.ts';
import type { RecordEvent } from './event-bus.ts';
import type { HookChain, HookEvent } from './hook-chain.ts';
import { HookAnswer, toHookFailure } from './hook-errors.ts';
import { createHookRecord, type HookRecord } from './hook-record.ts';
import type { HooksRegistry } from './hooks-registry.ts';
import { MODEL_HOOK_WARN_MS, runModelHook, runOutsideModelHook } from './model-hook-guard.ts';
import { NO_RECORD_HOOKS, type RecordAction, type RecordHookPoints, type RecordModelEvent, type RecordRequestEvent, type RecordWriteStep } from './record-hook-points.ts';

/** `e` of a record request hook. */
export interface RecordRequestHookEvent extends HookEvent {
  collection: CollectionModel;
  /** create/update: the record as the body sets it (`set` changes the body); delete/view: the id only */
  record: HookRecord;
  /** onRecordListRequest: the page's records (`set` changes what is answered) and the whole answer */
  records?: HookRecord[];
  result?: Record<string, unknown>;
  /** the signed-in record, or null (a guest) */
  auth: Record<string, unknown> | null;
  /** Answer the request with this JSON instead (return it without calling `e.next()`). */
  json(status: number, body: unknown): Response;
}

/** `e` of onRecordAuthRequest: a sign-in (password, OTP, OAuth2, MFA), refresh or impersonation about to be answered. */
export interface RecordAuthHookEvent extends RecordRequestHookEvent {
  /** the token to answer (a hook may replace it) */
  token: string;
  /** the answer's `meta` (OAuth2), if any */
  meta: Record<string, unknown> | undefined;
}

/** `e` of a model hook. */
export interface RecordModelHookEvent extends HookEvent {
  collection: CollectionModel;
  record: HookRecord;
  type: RecordAction;
}

/** `e` of an after-commit hook. */
export interface RecordSuccessHookEvent extends HookEvent {
  collection: CollectionModel;
  record: HookRecord;
  type: RecordAction;
}

const collectionOfEvent = (e: { collection?: CollectionModel }) => e.collection;

declare module './hooks-registry.ts' {
  interface HookEvents {
    onRecordCreateRequest: RecordRequestHookEvent;
    onRecordUpdateRequest: RecordRequestHookEvent;
    onRecordDeleteRequest: RecordRequestHookEvent;
    onRecordViewRequest: RecordRequestHookEvent;
    onRecordListRequest: RecordRequestHookEvent;
    onRecordAuthRequest: RecordAuthHookEvent;
    onRecordAuthRefreshRequest: RecordRequestHookEvent;
    onRecordValidate: RecordModelHookEvent;
    onRecordCreate: RecordModelHookEvent;
    onRecordUpdate: RecordModelHookEvent;
    onRecordDelete: RecordModelHookEvent;
    onRecordAfterCreateSuccess: RecordSuccessHookEvent;
    onRecordAfterUpdateSuccess: RecordSuccessHookEvent;
    onRecordAfterDeleteSuccess: RecordSuccessHookEvent;
  }
}

export const RECORD_REQUEST_HOOKS = {
  create: 'onRecordCreateRequest',
  update: 'onRecordUpdateRequest',
  delete: 'onRecordDeleteRequest',
  view: 'onRecordViewRequest',
  list: 'onRecordListRequest',
} as const;
export const RECORD_MODEL_HOOKS = { create: 'onRecordCreate', update: 'onRecordUpdate', delete: 'onRecordDelete' } as const;
export const RECORD_SUCCESS_HOOKS = {
  create: 'onRecordAfterCreateSuccess',
  update: 'onRecordAfterUpdateSuccess',
  delete: 'onRecordAfterDeleteSuccess',
} as const;

/** The chain of a record family, made with the collection filter every record family uses. */
export function recordChain<K extends keyof typeof RECORD_CHAIN_NAMES>(registry: HooksRegistry, name: K) {
  return registry.chain(name, collectionOfEvent);
}
const RECORD_CHAIN_NAMES = {
  onRecordCreateRequest: 1, onRecordUpdateRequest: 1, onRecordDeleteRequest: 1, onRecordViewRequest: 1, onRecordListRequest: 1, onRecordAuthRequest: 1, onRecordAuthRefreshRequest: 1,
  onRecordValidate: 1, onRecordCreate: 1, onRecordUpdate: 1, onRecordDelete: 1,
  onRecordAfterCreateSuccess: 1, onRecordAfterUpdateSuccess: 1, onRecordAfterDeleteSuccess: 1,
} as const;
export const RECORD_HOOK_NAMES = Object.keys(RECORD_CHAIN_NAMES) as Array<keyof typeof RECORD_CHAIN_NAMES>;

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * A request hook chain: resolves when the chain went on to the end; throws HookAnswer when a handler answered
 * (or stopped without answering: an empty 204), and a Galley error for a handler's throw.
 */
export async function triggerRecordRequestHooks(
  registry: HooksRegistry,
  name: keyof typeof RECORD_CHAIN_NAMES,
  log: Logger,
  event: { collection: CollectionModel; values: Record<string, unknown>; form?: 'body' | 'storage'; auth?: Record<string, unknown> | null; records?: Record<string, unknown>[]; result?: Record<string, unknown> },
  extra?: Record<string, unknown>,
): Promise<void> {
  const chain = registry.find(name) as HookChain<RecordRequestHookEvent> | undefined;
  if (!chain) return;
  const e = {
    collection: event.collection,
    record: createHookRecord(event.collection, event.values, event.form ?? 'body'),
    auth: event.auth ?? null,
    ...(event.records ? { records: event.records.map((r) => createHookRecord(event.collection, r, 'body')), result: event.result } : {}),
    json: (status: number, body: unknown) => (answer = jsonResponse(status, body)),
    ...extra,
  } as Omit<RecordRequestHookEvent, 'next'>;
  let answer: Response | undefined;
  let completed = false;
  try {
    await chain.trigger(e, () => void (completed = true));
    if (extra) Object.assign(extra, e);
  } catch (err) {
    throw toHookFailure(err, name, log);
  }
  if (!completed) throw new HookAnswer(answer ?? new Response(null, { status: 204 }));
}

/**
 * onRecordAuthRequest around an auth answer (auth/auth-response.ts): `record` is the wire record (a hook may change
 * it), token and meta may be replaced; a throw refuses the sign-in, an answer of its own replaces the response.
 */
export async function runAuthRequestHooks(
  registry: HooksRegistry,
  log: Logger,
  event: { collection: CollectionModel; record: Record<string, unknown>; token: string; meta: Record<string, unknown> | undefined; auth: Record<string, unknown> | null },
): Promise<{ token: string; meta: Record<string, unknown> | undefined }> {
  const out: Record<string, unknown> = { token: event.token, meta: event.meta };
  await triggerRecordRequestHooks(registry, 'onRecordAuthRequest', log, { collection: event.collection, values: event.record, auth: event.auth }, out);
  return { token: String(out['token']), meta: out['meta'] as Record<string, unknown> | undefined };
}

/** Writes a hooks file makes itself (app.save, app.delete): they run the model hooks but not the request hooks. */
const serverWrite = new AsyncLocalStorage<true>();
export function runServerWrite<T>(fn: () => Promise<T>): Promise<T> {
  return serverWrite.run(true, fn);
}

/** The pipeline's points for this registry; the no-op points when it binds no record hook (the hot path stays bare). */
export function recordHookPoints(registry: HooksRegistry, log: Logger): RecordHookPoints {
  if (!RECORD_HOOK_NAMES.some((n) => registry.find(n))) return NO_RECORD_HOOKS;
  return {
    request: async (event: RecordRequestEvent) =>
      serverWrite.getStore() ? undefined : triggerRecordRequestHooks(registry, RECORD_REQUEST_HOOKS[event.action], log, {
        collection: event.collection,
        values: event.input ?? { id: event.id },
        auth: event.auth,
        records: event.records,
        result: event.result,
      }),
    model: (event: RecordModelEvent, write: RecordWriteStep) => runModelHooks(registry, log, event, write),
    afterCommit: (event: RecordEvent) => runSuccessHooks(registry, log, event),
  };
}

/**
 * The model chain around the write, as PocketBase's save: onRecordCreate/Update/Delete, whose end runs
 * onRecordValidate (create, update) and then the write. Not calling `e.next()` in onRecordCreate/Update/Delete
 * skips the write (no error); in onRecordValidate it only stops the validate chain, the write still runs. After
 * the write `e.record` is the row as stored (an update's whole row). The write's own errors pass through as they
 * are; a hook's throw (before or after the write) becomes its Galley error and fails the job. The slow-hook
 * warning counts the hooks' time, not the write's.
 */
async function runModelHooks(registry: HooksRegistry, log: Logger, event: RecordModelEvent, write: RecordWriteStep): Promise<void> {
  const name = RECORD_MODEL_HOOKS[event.action];
  const chain = registry.find(name) as HookChain<RecordModelHookEvent> | undefined;
  const validate = event.action === 'delete' ? undefined : (registry.find('onRecordValidate') as HookChain<RecordModelHookEvent> | undefined);
  if (!chain && !validate) {
    await write();
    return;
  }
  const e = { collection: event.collection, record: createHookRecord(event.collection, event.row, 'storage'), type: event.action };
  const started = performance.now();
  let writing = 0;
  let current: string = name;
  let writeFailure: unknown;
  const runWrite = async () => {
    current = name;
    const began = performance.now();
    try {
      const stored = await write();
      if (stored && stored !== event.row) Object.assign(event.row, stored);
    } catch (err) {
      writeFailure = err;
      throw err;
    } finally {
      writing += performance.now() - began;
    }
  };
  const validateThenWrite = async () => {
    if (validate) {
      current = 'onRecordValidate';
      await validate.trigger({ ...e });
    }
    await runWrite();
  };
  try {
    await runModelHook(name, () => (chain ? chain.trigger(e, validateThenWrite) : validateThenWrite()));
  } catch (err) {
    if (err === writeFailure) throw err;
    throw toHookFailure(err, current, log);
  } finally {
    const took = performance.now() - started - writing;
    if (took > MODEL_HOOK_WARN_MS) {
      log.warn(`model hook ${name} on ${event.collection.name} took ${Math.round(took)} ms (over ${MODEL_HOOK_WARN_MS} ms: it holds the writer; move slow work to an after-commit hook)`);
    }
  }
}

function runSuccessHooks(registry: HooksRegistry, log: Logger, event: RecordEvent): Promise<void> | void {
  const name = RECORD_SUCCESS_HOOKS[event.action];
  const chain = registry.find(name) as HookChain<RecordSuccessHookEvent> | undefined;
  if (!chain) return;
  const e = { collection: event.collection, record: createHookRecord(event.collection, { ...event.row }, 'storage'), type: event.action };
  return runOutsideModelHook(() =>
    chain.trigger(e as Omit<RecordSuccessHookEvent, 'next'>).catch((err: unknown) => {
      // wire: the write is committed; PocketBase logs an after-success hook's error and still answers the write
      log.error(`hook ${name} failed (the ${event.action} of ${event.collection.name}/${String(event.row['id'])} is committed)`, {
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    }),
  );
}
