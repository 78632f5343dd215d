/**
 * A small least-recently-used map on top of Map's insertion order: a hit moves the key to the end,
 * an insert past capacity evicts from the front and hands the evicted value to `onEvict`.
 */
export class LruMap<K, V> {
  readonly #max: number;
  readonly #onEvict: ((value: V, key: K) => void) | undefined;
  readonly #map = new Map<K, V>();

  constructor(max: number, onEvict?: (value: V, key: K) => void) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`LruMap: capacity must be a positive integer, got ${max}`);
    this.#max = max;
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined) return undefined;
    // Re-insert so the key becomes the most recently used.
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    const old = this.#map.get(key);
    if (old !== undefined) {
      this.#map.delete(key);
      if (old !== value) this.#onEvict?.(old, key);
    }
    this.#map.set(key, value);
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value as K;
      const evicted = this.#map.get(oldest) as V;
      this.#map.delete(oldest);
      this.#onEvict?.(evicted, oldest);
    }
  }

  delete(key: K): boolean {
    const value = this.#map.get(key);
    if (value === undefined) return false;
    this.#map.delete(key);
    this.#onEvict?.(value, key);
    return true;
  }

  /** Empties the map, handing every value to `onEvict`. */
  clear(): void {
    const entries = [...this.#map];
    this.#map.clear();
    for (const [k, v] of entries) this.#onEvict?.(v, k);
  }

  keys(): IterableIterator<K> {
    return this.#map.keys();
  }
}
