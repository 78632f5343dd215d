/** PocketBase's thumbnail sizes: `WxH` (crop from centre), `WxHt` / `WxHb` (crop from top / bottom), `WxHf` (fit), `0xH`, `Wx0`. */
import type { FieldModel } from '../schema/model.ts';

export interface ThumbSize {
  width: number;
  height: number;
  /** '' centre crop, 't' top, 'b' bottom, 'f' fit inside without cropping */
  mode: '' | 't' | 'b' | 'f';
}

const SIZE = /^(\d{1,5})x(\d{1,5})([tbf])?$/;
/** wire: PocketBase serves 100x100 for every file field, listed or not. */
const ALWAYS_ALLOWED = ['100x100'];
/** Larger thumbs are refused: the point of a thumb is to be small, and the pixels are allocated in memory. */
const MAX_SIDE = 4096;

export function parseThumbSize(text: string): ThumbSize | null {
  const m = SIZE.exec(text);
  if (!m) return null;
  const width = Number(m[1]);
  const height = Number(m[2]);
  if ((width === 0 && height === 0) || width > MAX_SIDE || height > MAX_SIDE) return null;
  return { width, height, mode: (m[3] ?? '') as ThumbSize['mode'] };
}

/** The size asked for in `?thumb=`, when the field allows it (else the original is served, as PocketBase does). */
export function pickThumbSize(field: FieldModel, asked: string | undefined): { text: string; size: ThumbSize } | null {
  if (!asked) return null;
  const listed = Array.isArray(field['thumbs']) ? (field['thumbs'] as unknown[]) : [];
  if (!ALWAYS_ALLOWED.includes(asked) && !listed.includes(asked)) return null;
  const size = parseThumbSize(asked);
  return size ? { text: asked, size } : null;
}
