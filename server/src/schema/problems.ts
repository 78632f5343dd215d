/** Collects schema problems while the loader keeps going, so one run reports all of them. */
import { formatJsonPointer } from '../lib/json-pointer.ts';
import type { SchemaProblem, SchemaProblemCode } from './schema-error.ts';

/** Sort key: collection index, then its own keys before its fields before its indexes, then the item index. */
function orderOf(path: ReadonlyArray<string | number>): number[] {
  if (path[0] !== 'collections' || typeof path[1] !== 'number') return [-1];
  const group = path[2] === 'fields' ? 1 : path[2] === 'indexes' ? 2 : 0;
  return [path[1], group, typeof path[3] === 'number' && group > 0 ? path[3] : -1];
}

/** The `name` of a parsed entry, when it has a usable one (own key only: input is untrusted JSON). */
function nameOf(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null || !Object.hasOwn(entry, 'name')) return undefined;
  const name = (entry as { name: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** The parsed file's collections, in either form, or [] when it has none to read. */
function readEntries(input: unknown): unknown[] {
  if (Array.isArray(input)) return input;
  if (typeof input === 'object' && input !== null && Object.hasOwn(input, 'collections')) {
    const list = (input as { collections: unknown }).collections;
    if (Array.isArray(list)) return list;
  }
  return [];
}

/** `collection "posts", field "title"` for a path into the file, so a reader need not count entries. */
export function describeSchemaPlace(input: unknown, path: ReadonlyArray<string | number>): string | undefined {
  if (path[0] !== 'collections' || typeof path[1] !== 'number') return undefined;
  const collection = readEntries(input)[path[1]];
  const parts: string[] = [];
  const name = nameOf(collection);
  if (name) parts.push(`collection ${JSON.stringify(name)}`);
  if (path[2] === 'fields' && typeof path[3] === 'number' && typeof collection === 'object' && collection !== null && Object.hasOwn(collection, 'fields')) {
    const fields = (collection as { fields: unknown }).fields;
    const field = Array.isArray(fields) ? nameOf(fields[path[3]]) : undefined;
    if (field) parts.push(`field ${JSON.stringify(field)}`);
  }
  return parts.length > 0 ? parts.join(', ') : undefined;
}

export class ProblemSink {
  readonly #problems: Array<SchemaProblem & { order: number[]; seq: number }> = [];
  readonly #input: unknown;
  readonly #places = new Map<string, string>();

  /** `input`: the parsed file, read only to name the collection and field of each problem */
  constructor(input?: unknown) {
    this.#input = input;
  }

  /** `code`: PocketBase's validation code for the problem, where it has its own */
  add(path: ReadonlyArray<string | number>, message: string, code?: SchemaProblemCode): void {
    const order = orderOf(path);
    const pointer = formatJsonPointer(path);
    const where = describeSchemaPlace(this.#input, path);
    if (where) this.#places.set(pointer, where);
    this.#problems.push({ path: pointer, message, order, seq: this.#problems.length, ...(code ? { code } : {}) });
  }

  /** By JSON pointer: the collection and field it points into, by name (for the message, not the problem list). */
  places(): ReadonlyMap<string, string> {
    return this.#places;
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
      .map(({ path, message, code }) => (code ? { path, message, code } : { path, message }))
      .filter((p) => {
        const key = `${p.path}\n${p.message}`;
        return seen.has(key) ? false : (seen.add(key), true);
      });
  }
}
