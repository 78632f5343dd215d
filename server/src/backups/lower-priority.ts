/**
 * A backup made beside a running server yields the CPU to it: the server's commits come first, the backup takes
 * what they leave (the server's backup child, and `galley backup create`).
 */
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

export const BACKUP_NICENESS = 10;

/**
 * Lowers this process's priority, every thread of it: on Linux a nice value belongs to a thread, and the
 * runtime's threads (the pool where zlib and file reads run, the GC's) already exist; threads started later
 * inherit it from the thread that starts them.
 */
export function lowerProcessPriority(niceness = BACKUP_NICENESS): void {
  let threads = [0];
  try {
    threads = readdirSync('/proc/self/task').map(Number);
  } catch {
    // no /proc: the process as a whole, where the system applies it so
  }
  for (const tid of threads) {
    try {
      setPriority(tid, niceness);
    } catch {
      // not allowed here: that thread stays at its priority
    }
  }
}
