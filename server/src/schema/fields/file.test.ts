import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import type { ValidateContext } from './field-type.ts';
import { DEFAULT_FILE_MAX_SIZE, fileField, UploadedFile } from './file.ts';

const field = (o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 'f', name: 'cover', type: 'file', system: false, hidden: false, presentable: false, ...fileField.defaults, ...o }) as FieldModel;
const single = field();
const multi = field({ maxSelect: 3 });
const ctx: ValidateContext = { isSuperuser: false, isNew: false, original: '["a.png","b.png"]', existingIds: async () => new Set() };
const codeOf = (v: unknown, f: FieldModel, c: ValidateContext = ctx) => (fileField.validate(v, f, c) as { code: string } | null)?.code ?? null;
const upload = (name: string, size = 10, type = 'image/png') => new UploadedFile(name, name, type, new Uint8Array(size));

describe('file', () => {
  it('prepare: names, uploads, last one wins for single', () => {
    expect(fileField.prepare(['a.png', 'b.png'], single)).toBe('b.png');
    expect(fileField.prepare('', single)).toBe('');
    expect(fileField.prepare(null, multi)).toEqual([]);
    const u = upload('x.png');
    expect(fileField.prepare(['a.png', u], multi)).toEqual(['a.png', u]);
  });
  it.each([
    ['blank', '', single, null],
    ['required', [], field({ required: true, maxSelect: 3 }), 'validation_required'],
    ['kept names pass', ['a.png', 'b.png'], multi, null],
    ['unknown name', ['a.png', 'evil.png'], multi, 'validation_invalid_file'],
    ['too many', ['a.png', 'b.png', upload('c.png'), upload('d.png')], multi, 'validation_too_many_files'],
    ['too large', [upload('c.png', DEFAULT_FILE_MAX_SIZE + 1)], multi, 'validation_file_size_limit'],
    ['mime type', [upload('c.txt', 1, 'text/plain')], field({ maxSelect: 3, mimeTypes: ['image/png'] }), 'validation_invalid_mime_type'],
    ['bad upload name', [upload('.hidden')], multi, 'validation_invalid_file'],
  ])('%s', (_n, v, f, code) => expect(codeOf(v, f)).toBe(code));
  it('an object shaped like an upload (from JSON) is no upload', () => {
    expect(fileField.prepare([{ name: '../../x', size: 1 }], multi)).toEqual([]);
    expect(JSON.stringify(upload('n_abc.png'))).toBe('"n_abc.png"');
  });
  it('the mime type is matched without parameters and through aliases', () => {
    expect(codeOf([upload('c.txt', 1, 'text/plain; charset=utf-8')], field({ maxSelect: 3, mimeTypes: ['text/plain'] }))).toBe(null);
    expect(codeOf([upload('c.wav', 1, 'audio/wav')], field({ maxSelect: 3, mimeTypes: ['audio/x-wav'] }))).toBe(null);
  });
  it('a plain name on create is not a file', () => {
    expect(codeOf('a.png', single, { ...ctx, isNew: true, original: undefined })).toBe('validation_invalid_file');
  });
  it('modifiers remove by name', () => {
    expect(fileField.modify!(['a.png', 'b.png'], 'remove', 'a.png', multi)).toEqual(['b.png']);
    const u = upload('n.png');
    expect(fileField.modify!(['a.png'], 'prepend', [u], multi)).toEqual([u, 'a.png']);
  });
  it('storage', () => {
    expect(fileField.column(single)).toEqual({ type: 'text', notNull: true, defaultValue: '' });
    expect(fileField.column(multi)).toEqual({ type: 'json', notNull: true, defaultValue: '[]' });
    expect(fileField.toStorage(['a.png', upload('n_abc.png')], multi)).toBe('["a.png","n_abc.png"]');
    expect(fileField.toStorage(['a.png', 'b.png'], single)).toBe('b.png');
    expect(fileField.fromStorage('["a.png"]', multi)).toEqual(['a.png']);
    expect(fileField.fromStorage('', single)).toBe('');
    expect(fileField.zero(multi)).toEqual([]);
    expect(fileField.filterKind(multi)).toBe('multi');
  });
  it('thumb sizes are checked', () => {
    const c = { hasCollection: () => false, findCollection: () => undefined, owner: { name: 'c', type: 'base' as const } };
    expect(fileField.checkOptions!(field({ thumbs: ['100x100', '0x50t'] }), c)).toEqual([]);
    expect(fileField.checkOptions!(field({ thumbs: ['big'] }), c).map((p) => p.key)).toEqual(['thumbs']);
    expect(fileField.checkOptions!(field({ thumbs: ['0x0'] }), c).map((p) => p.key)).toEqual(['thumbs']);
  });
});
