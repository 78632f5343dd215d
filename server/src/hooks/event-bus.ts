import type { CollectionModel } from '../schema/model.ts';
import type { Logger } from '../lib/log.ts';
import { createHooksRegistry, type HooksRegistry } from './hooks-registry.ts';
import { recordHookPoints } from './record-hook-registry.ts';
import { NO_RECORD_HOOKS, type RecordHookPoints } from './record-hook-points.ts';

/** A committed change to a record. Emitted only after the commit that holds it. */
export interface RecordEvent {
  action: 'create' | 'update' | 'delete';
  collection: CollectionModel;
  /** the record as stored (column values) after the change; before it for deletes */
  row: Record<string, unknown>;
  /** a change another instance on the same PostgreSQL database committed (realtime/postgres-fanout.ts) */
  fromAnotherInstance?: true;
}

export type RecordListener = (event: RecordEvent) => void;

/** In-process event bus; realtime and user hooks subscribe here. */
export interface EventBus {
  onRecord(listener: RecordListener): () => void;
  /**
   * Called only by the record-write pipeline (records/record-write.ts), after the commit, and on PostgreSQL for
   * another instance's committed change (realtime/postgres-fanout.ts).
   */
  emitRecord(event: RecordEvent): void;
  /** The pipeline's hook points; no-ops until a hooks file is loaded (swapped whole on reload). */
  recordHooks: RecordHookPoints;
  /** The hooks file's registry (an empty one without a file); other families' seams read it at each trigger. */
  readonly registry: HooksRegistry;
  /** Swap in a newly loaded registry, with its record points, in one step; answers the one it replaced. */
  useRegistry(registry: HooksRegistry, log: Logger): HooksRegistry;
}

export function createEventBus(onListenerError: (err: unknown) => void): EventBus {
  const listeners = new Set<RecordListener>();
  return {
    recordHooks: NO_RECORD_HOOKS,
    registry: createHooksRegistry(),
    useRegistry(registry, log) {
      const previous = this.registry;
      (this as { registry: HooksRegistry }).registry = registry;
      this.recordHooks = recordHookPoints(registry, log);
      return previous;
    },
    onRecord(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emitRecord(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (err) {
          onListenerError(err);
        }
      }
    },
  };
}
