import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import { DEFAULT_EDITOR_MAX_SIZE, editorField } from './editor.ts';
import type { ValidateContext } from './field-type.ts';

const field = (o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 'e', name: 'body', type: 'editor', system: false, hidden: false, presentable: false, ...editorField.defaults, ...o }) as FieldModel;
const ctx: ValidateContext = { isSuperuser: false, isNew: true, existingIds: async () => new Set() };

describe('editor', () => {
  it('size limit in bytes, default 5 MiB', () => {
    expect(DEFAULT_EDITOR_MAX_SIZE).toBe(5 * 1024 * 1024);
    expect(editorField.validate('a'.repeat(DEFAULT_EDITOR_MAX_SIZE), field(), ctx)).toBeNull();
    expect(editorField.validate('a'.repeat(DEFAULT_EDITOR_MAX_SIZE + 1), field(), ctx)).toMatchObject({
      code: 'validation_content_size_limit',
      params: { maxSize: DEFAULT_EDITOR_MAX_SIZE },
    });
    expect(editorField.validate('éé', field({ maxSize: 3 }), ctx)).toMatchObject({ code: 'validation_content_size_limit' });
  });
  it('required, prepare, storage', () => {
    expect(editorField.validate('', field({ required: true }), ctx)).toMatchObject({ code: 'validation_required' });
    expect(editorField.prepare('<p>x</p>', field())).toBe('<p>x</p>');
    expect(editorField.prepare(null, field())).toBe('');
    expect(editorField.column(field())).toEqual({ type: 'text', notNull: true, defaultValue: '' });
    expect(editorField.zero(field())).toBe('');
  });
});
