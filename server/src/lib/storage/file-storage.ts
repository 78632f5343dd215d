/**
 * Where file-field bytes live. Two drivers implement it (local disk under the data dir, S3-compatible),
 * both checked by one contract suite. Keys are `<collectionId>/<recordId>/<filename>`, thumbnails
 * `<collectionId>/<recordId>/thumbs_<filename>/<size>_<filename>` (PocketBase's layout).
 */
export interface FileStorage {
  /** Which driver answers ('local' | 's3'); for logs and the settings test route. */
  readonly kind: string;
  /**
   * Stores bytes under `key`, durably: when the promise resolves the object survives a crash
   * (local: temp name, fsync, rename, fsync of the directory; S3: the PUT returned). Replaces an existing key.
   */
  put(key: string, data: Uint8Array, options?: { contentType?: string }): Promise<void>;
  /** Reads an object, or a byte range of it (inclusive `end`, as HTTP ranges are). null when missing. */
  get(key: string, range?: { start: number; end: number }): Promise<StoredObject | null>;
  /** Size and modification time, or null when missing. */
  stat(key: string): Promise<StoredObjectInfo | null>;
  /** Removes one object; missing is not an error. */
  delete(key: string): Promise<void>;
  /** Removes every object whose key starts with `prefix` (a record's folder with its thumbnails). */
  deletePrefix(prefix: string): Promise<void>;
  /** Every object under `prefix`, in no particular order (the orphan sweep walks this). */
  list(prefix: string): AsyncIterable<StoredObjectInfo>;
}

export interface StoredObjectInfo {
  key: string;
  size: number;
  modified: Date;
  contentType?: string;
}

export interface StoredObject extends StoredObjectInfo {
  /** The bytes read, streamed (files can be large videos): the whole object, or only the requested range. */
  body: ReadableStream<Uint8Array>;
}
