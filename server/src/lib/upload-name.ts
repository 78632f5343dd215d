/**
 * The stored name of an uploaded file, made as PocketBase makes it (tools/filesystem normalizeName):
 * a snake_cased base (ASCII word characters only), `_` and 10 random [a-z0-9], then the cleaned extension.
 * Nothing of the client's name can leave the record's folder: `/`, `\`, NUL and dots at the edges are gone.
 */
import { randomString } from './ids.ts';

const EXT_INVALID = /[^\w.*\-+=#]+/g;
const WORD_SPLIT = /[\W_]+/;
const MAX_INPUT = 300;
const MAX_EXT = 20;
const MAX_BASE = 100;

/** wire: `.tar.gz` counts as one extension: from the second-to-last dot when there is one. */
export function extractExtension(name: string): string {
  const primary = name.lastIndexOf('.');
  if (primary < 0) return '';
  const secondary = name.lastIndexOf('.', primary - 1);
  return secondary >= 0 && primary > 0 ? name.slice(secondary) : name.slice(primary);
}

function trimDots(text: string): string {
  return text.replace(/^\.+|\.+$/g, '');
}

/** PocketBase's inflector.Snakecase: split on non-word runs, `_` before an upper case letter that follows a lower one, lower-cased. */
export function snakecaseName(text: string): string {
  const words: string[] = [];
  for (const word of text.split(WORD_SPLIT)) {
    if (word === '') continue;
    let out = '';
    for (let i = 0; i < word.length; i++) {
      const c = word[i]!;
      const upper = c >= 'A' && c <= 'Z';
      const prevUpper = i > 0 && word[i - 1]! >= 'A' && word[i - 1]! <= 'Z';
      if (upper && i > 0 && !prevUpper) out += '_';
      out += c;
    }
    words.push(out);
  }
  return words.join('_').toLowerCase();
}

/**
 * `original` is the client's file name; `detectedExt` (".png", or "") stands in when the name has no
 * usable extension. Always unique by its random part, so a new upload never overwrites a stored file.
 */
export function normalizeUploadName(original: string, detectedExt: string): string {
  const name = original.length > MAX_INPUT ? original.slice(original.length - MAX_INPUT) : original;
  const originalExt = extractExtension(name);
  let ext = '.' + trimDots(originalExt.replace(EXT_INVALID, ''));
  if (ext === '.') ext = detectedExt;
  if (ext.length > MAX_EXT) ext = '.' + trimDots(ext.slice(ext.length - MAX_EXT));
  const stem = originalExt === '' ? name : name.slice(0, name.length - originalExt.length);
  let base = snakecaseName(trimDots(stem));
  if (base.length < 3) base += randomString(10);
  else if (base.length > MAX_BASE) base = base.slice(0, MAX_BASE);
  return `${base}_${randomString(10)}${ext}`;
}
