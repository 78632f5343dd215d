/**
 * The seam where user hooks plug into the one record-write pipeline (records/record-write.ts). No-ops until a
 * hooks file binds a record hook: then `EventBus.useRegistry` swaps in its points (record-hook-registry.ts).
 */
import type { CollectionModel } from '../schema/model.ts';
import type { RecordEvent } from './event-bus.ts';

export type RecordAction = 'create' | 'update' | 'delete';

/** A write about to be queued: the services' view of the request (records API, batch, OAuth2 sign-up). */
export interface RecordRequestEvent {
  /** view and list: after the read, before the answer is sent (records/read-request-hooks.ts) */
  action: RecordAction | 'view' | 'list';
  collection: CollectionModel;
  /** the record id (update, delete) */
  id?: string;
  /** the client's body (create, update); a request hook may change it */
  input?: Record<string, unknown>;
  /** list: the page's records as answered, and the whole answer (a hook may change both) */
  records?: Record<string, unknown>[];
  result?: Record<string, unknown>;
  /** the signed-in record (null: a guest; undefined: a server-made write) */
  auth?: Record<string, unknown> | null;
}

/** A row being written, inside the write's savepoint: a hook may change `row`; a throw undoes this write only. */
export interface RecordModelEvent {
  action: RecordAction;
  collection: CollectionModel;
  /** create/update: the column values about to be stored (update: the changed ones); delete: the stored row */
  row: Record<string, unknown>;
}

/**
 * The write itself, the model chain's last step (the INSERT/UPDATE/DELETE and what goes with it: cascades, auth
 * refs, the after-commit event). Answers the row as stored when it differs from the event's `row` (an update's).
 */
export type RecordWriteStep = () => Promise<Record<string, unknown> | void>;

export interface RecordHookPoints {
  /** Before the write is queued (outside the writer: may be slow, may be async). */
  request(event: RecordRequestEvent): Promise<void>;
  /**
   * Around the write, inside its savepoint (must be quick: it holds the writer): the model hooks run and their
   * chain's end runs `write` (a hook that does not go on skips it). A throw before or after the write rejects,
   * which fails the job and so rolls back its savepoint: the write and what the hooks wrote with it.
   */
  model(event: RecordModelEvent, write: RecordWriteStep): Promise<unknown>;
  /**
   * Once the write is durable, after the event bus has the event; errors are the hook runner's to log (it never
   * rejects). A promise it returns holds the write's answer back until it settles (db/writer.ts).
   */
  afterCommit(event: RecordEvent): void | Promise<void>;
}

export const NO_RECORD_HOOKS: RecordHookPoints = {
  request: async () => {},
  // no hooks: the write, with no wrapper of its own (the hot path)
  model: (_event, write) => write(),
  afterCommit: () => {},
};
