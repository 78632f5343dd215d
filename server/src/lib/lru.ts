/**
 * A small least-recently-used map on top of Map's insertion order: a hit moves the key to the end,
 * an insert past capacity evicts from the front and hands the evicted value to `onEvict`.
 */
export class LruMap<K, V> {
  readonly #max: number;
  readonly #onEvict: ((value: V, key: K) => void) | undefined;
  readonly #map = new Map<K, V>();
  /** the key inserted last (Map order's end), when known */
  #newest: K | undefined;

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
    // Re-insert so the key becomes the most recently used (unless it already is: a hot key read per request).
    if (key !== this.#newest) {
      this.#map.delete(key);
      this.#map.set(key, value);
      this.#newest = key;
    }
    return value;
  }

  set(key: K, value: V): void {
    const old = this.#map.get(key);
    if (old !== undefined) {
      this.#map.delete(key);
      if (old !== value) this.#onEvict?.(old, key);
    }
    this.#map.set(key, value);
    this.#newest = key;
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
    if (key === this.#newest) this.#newest = undefined;
    this.#onEvict?.(value, key);
    return true;
  }

  /** Empties the map, handing every value to `onEvict`. */
  clear(): void {
    const entries = [...this.#map];
    this.#map.clear();
    this.#newest = undefined;
    for (const [k, v] of entries) this.#onEvict?.(v, k);
  }

  keys(): IterableIterator<K> {
    return this.#map.keys();
  }
}
