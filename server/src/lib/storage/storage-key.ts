import { GalleyError } from '../../errors.ts';

/** Prefix of the local driver's in-flight temp files; no key segment may start with it. */
export const TEMP_PREFIX = '.~galley-';

const MAX_KEY_BYTES = 1024;

/**
 * Throws unless `key` is a relative, slash-separated path that cannot leave the storage root:
 * no empty, `.` or `..` segment, no backslash, NUL or other control character, no leading slash.
 */
export function assertStorageKey(key: string): void {
  checkKeyText(key, false);
}

/** Same rules for a list/delete prefix, which may be empty, end in `/`, or stop mid-segment. */
export function assertStoragePrefix(prefix: string): void {
  if (prefix === '') return;
  checkKeyText(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix, true);
}

function checkKeyText(key: string, isPrefix: boolean): void {
  const what = isPrefix ? 'storage prefix' : 'storage key';
  if (typeof key !== 'string' || key === '') throw new GalleyError('invalid', `${what}: empty`);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new GalleyError('invalid', `${what}: longer than ${MAX_KEY_BYTES} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(key)) throw new GalleyError('invalid', `${what}: control character or backslash`);
  if (key.startsWith('/')) throw new GalleyError('invalid', `${what}: must be relative`);
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') throw new GalleyError('invalid', `${what}: empty, "." or ".." segment`);
    if (segment.startsWith(TEMP_PREFIX)) throw new GalleyError('invalid', `${what}: reserved name`);
  }
}
