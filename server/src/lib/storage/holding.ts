/**
 * Local storage whose physical deletions wait while `isHeld()` (a backup is archiving the storage tree, so a
 * file the snapshot references must not go): a delete is then queued and answered at once, and the queue is
 * replayed once the hold ends (checked every second while anything waits). Reads and writes pass through.
 */
import type { FileStorage } from './file-storage.ts';

export interface HoldingStorage extends FileStorage {
  /** Replays queued deletions if no hold is on (close()); queued ones stay for the orphan sweep otherwise. */
  flushHeldDeletions(): Promise<void>;
}

const RECHECK_MS = 1000;

export function createHoldingStorage(inner: FileStorage, isHeld: () => boolean): HoldingStorage {
  const queued: Array<{ prefix: boolean; key: string }> = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const replay = async () => {
    timer = undefined;
    if (isHeld()) {
      schedule();
      return;
    }
    for (const item of queued.splice(0)) {
      try {
        await (item.prefix ? inner.deletePrefix(item.key) : inner.delete(item.key));
      } catch {
        // the orphan sweep retries it on the next start
      }
    }
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => void replay(), RECHECK_MS);
    timer.unref?.();
  };
  const hold = (prefix: boolean, key: string): boolean => {
    if (!isHeld()) return false;
    queued.push({ prefix, key });
    schedule();
    return true;
  };

  return {
    get kind() {
      return inner.kind;
    },
    put: (key, data, options) => inner.put(key, data, options),
    get: (key, range) => inner.get(key, range),
    stat: (key) => inner.stat(key),
    list: (prefix) => inner.list(prefix),
    async delete(key) {
      if (!hold(false, key)) await inner.delete(key);
    },
    async deletePrefix(prefix) {
      if (!hold(true, prefix)) await inner.deletePrefix(prefix);
    },
    async flushHeldDeletions() {
      clearTimeout(timer);
      timer = undefined;
      if (queued.length > 0 && !isHeld()) await replay();
    },
  };
}
