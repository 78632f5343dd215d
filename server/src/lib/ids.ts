import { randomBytes } from 'node:crypto';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniform random string from an alphabet (rejection sampling, no modulo bias). */
export function randomString(length: number, alphabet: string = LOWER_ALNUM): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit) out += alphabet[b % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** wire: record ids are 15 chars of [a-z0-9]. */
export function newRecordId(): string {
  return randomString(15, LOWER_ALNUM);
}

/** wire: realtime client ids are 40 chars of [A-Za-z0-9]. */
export function newClientId(): string {
  return randomString(40, ALNUM);
}

export function newTokenKey(): string {
  return randomString(50, ALNUM);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

const UTF8 = new TextEncoder();

/**
 * CRC32-IEEE of a UTF-8 string, as PocketBase uses it to derive ids from names. One encoder and an indexed loop:
 * every start derives the ids of all fields and collections, still in cold code (4x faster there, issue 16).
 */
export function crc32(text: string): number {
  const bytes = UTF8.encode(text);
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
