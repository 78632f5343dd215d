import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../schema/model.ts';
import { parseThumbSize, pickThumbSize } from './thumb-size.ts';

const field = (thumbs: string[]): FieldModel => ({ id: 'f', name: 'f', type: 'file', system: false, hidden: false, presentable: false, thumbs });

describe('parseThumbSize', () => {
  it.each([
    ['100x100', { width: 100, height: 100, mode: '' }],
    ['300x100t', { width: 300, height: 100, mode: 't' }],
    ['300x100b', { width: 300, height: 100, mode: 'b' }],
    ['300x100f', { width: 300, height: 100, mode: 'f' }],
    ['0x100', { width: 0, height: 100, mode: '' }],
    ['300x0', { width: 300, height: 0, mode: '' }],
  ])('%s', (text, size) => expect(parseThumbSize(text)).toEqual(size));

  it.each(['0x0', '0x0f', 'x100', '100x', '100x100c', '-1x100', '100 x 100', '100X100', '5000x10', '1e2x100', ''])('refuses %j', (text) => {
    expect(parseThumbSize(text)).toBeNull();
  });
});

describe('pickThumbSize', () => {
  it('allows the listed sizes and always 100x100 (wire: PocketBase)', () => {
    expect(pickThumbSize(field(['0x40']), '0x40')?.text).toBe('0x40');
    expect(pickThumbSize(field([]), '100x100')?.text).toBe('100x100');
    expect(pickThumbSize(field(['0x40']), '0x50')).toBeNull();
    expect(pickThumbSize(field(['100x100']), '100x100f')).toBeNull();
    expect(pickThumbSize(field(['0x40']), undefined)).toBeNull();
  });
});
