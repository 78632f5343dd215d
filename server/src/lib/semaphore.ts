/**
 * A counting semaphore: at most `limit` tasks run at once, the rest wait in arrival order. Password hashing
 * uses it so a flood of logins queues instead of allocating argon2's memory for all of them at once.
 */
export interface Semaphore {
  /** run `task` once a slot is free; the slot is given back however the task ends */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** tasks running now */
  readonly active: number;
  /** tasks waiting for a slot */
  readonly waiting: number;
}

export function createSemaphore(limit: number): Semaphore {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('a semaphore needs a limit of at least 1');
  let active = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      // A freed slot passes straight to the next waiter, so `active` never dips while others wait.
      if (active < limit) active++;
      else await new Promise<void>((resolve) => queue.push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
