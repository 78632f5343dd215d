/**
 * `app.cronAdd(id, expression, fn)` and `app.cronRemove(id)`: the hooks file's jobs on the scheduler
 * (cron/scheduler.ts `setHookJobs`), listed by `GET /api/crons` and run by `POST /api/crons/{id}` like the
 * built-ins. Each load of the file sets its whole list: a reload replaces the jobs, a bad expression fails the
 * load with a message naming the job, and a replaced (or failed) load's jobs are dropped with its registry.
 */
import type { AppPart } from './hooks-app.ts';

declare module './hooks-app.ts' {
  interface HooksApp {
    /** wire: PocketBase's cronAdd: five fields (or @hourly, @daily …), UTC; a job with this id from this file is replaced */
    cronAdd(id: string, expression: string, fn: () => unknown): void;
    /** Remove a job this hooks file added (no-op for an id it did not add). */
    cronRemove(id: string): void;
  }
}

export const cronPart: AppPart = ({ core, registry }) => {
  const specs = new Map<string, { id: string; expression: string; fn: () => void | Promise<void> }>();
  let owned = false;
  const publish = () => {
    core.cron.setHookJobs(registry, [...specs.values()]);
    if (!owned) {
      owned = true;
      registry.onDispose(() => core.cron.dropHookJobs(registry));
    }
  };
  return {
    cronAdd(id: string, expression: string, fn: () => unknown) {
      const before = specs.get(id);
      specs.delete(id);
      specs.set(id, { id, expression, fn: fn as () => void | Promise<void> });
      try {
        publish();
      } catch (err) {
        specs.delete(id);
        if (before) specs.set(id, before);
        throw err;
      }
    },
    cronRemove(id: string) {
      if (specs.delete(id)) publish();
    },
  };
};
