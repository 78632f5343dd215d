/** Collects schema problems while the loader keeps going, so one run reports all of them. */
import { formatJsonPointer } from '../lib/json-pointer.ts';
import type { SchemaProblem } from './schema-error.ts';

/** Sort key: collection index, then its own keys before its fields before its indexes, then the item index. */
function orderOf(path: ReadonlyArray<string | number>): number[] {
  if (path[0] !== 'collections' || typeof path[1] !== 'number') return [-1];
  const group = path[2] === 'fields' ? 1 : path[2] === 'indexes' ? 2 : 0;
  return [path[1], group, typeof path[3] === 'number' && group > 0 ? path[3] : -1];
}

export class ProblemSink {
  readonly #problems: Array<SchemaProblem & { order: number[]; seq: number }> = [];

  add(path: ReadonlyArray<string | number>, message: string): void {
    const order = orderOf(path);
    this.#problems.push({ path: formatJsonPointer(path), message, order, seq: this.#problems.length });
  }

  get size(): number {
    return this.#problems.length;
  }

  /** In file order: by collection index, then field index, then the order they were found. */
  list(): SchemaProblem[] {
    const sorted = [...this.#problems].sort((a, b) => {
      for (let i = 0; i < Math.max(a.order.length, b.order.length); i++) {
        const d = (a.order[i] ?? -1) - (b.order[i] ?? -1);
        if (d !== 0) return d;
      }
      return a.seq - b.seq;
    });
    const seen = new Set<string>();
    return sorted
      .map(({ path, message }) => ({ path, message }))
      .filter((p) => {
        const key = `${p.path}\n${p.message}`;
        return seen.has(key) ? false : (seen.add(key), true);
      });
  }
}
