// The official pocketbase SDK, unchanged, uploading through FormData/File over a real listener: single,
// multiple, append (`field+`), remove (`field-`), replace, delete by setting empty, record delete.
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG, startFilesGalley, storedName, type FilesGalley } from './harness.ts';

let t: FilesGalley;
let pb: PocketBase;
const text = (s: string, name: string) => new File([s], name, { type: 'text/plain' });
const png = (name: string) => new File([PNG], name, { type: 'image/png' });

beforeAll(async () => {
  t = await startFilesGalley();
  pb = new PocketBase(t.url);
});
afterAll(() => t?.close());

const folder = (id: string) => `${t.docsId}/${id}/`;
const keysOf = async (id: string) => (await t.keys()).filter((k) => k.startsWith(folder(id)));

describe('uploads through the pocketbase SDK', () => {
  it('creates with a single and multiple files; names normalised with a random part; bytes stored', async () => {
    const rec = await pb.collection('docs').create({ title: 'a', cover: png('My Cover.png'), attachments: [text('one', 'one.txt'), text('two', 'Two File.TXT')] });
    expect(rec['cover']).toMatch(storedName('my_cover', '.png'));
    expect(rec['attachments']).toHaveLength(2);
    expect(rec['attachments'][0]).toMatch(storedName('one', '.txt'));
    expect(rec['attachments'][1]).toMatch(storedName('two_file', '.TXT'));
    expect(await keysOf(rec.id)).toEqual([rec['cover'], ...rec['attachments']].map((n: string) => folder(rec.id) + n).sort());
    expect(new TextDecoder().decode((await t.read(folder(rec.id) + rec['attachments'][0]))!)).toBe('one');
    expect(await t.read(folder(rec.id) + rec['cover'])).toEqual(PNG);
    const viewed = await pb.collection('docs').getOne(rec.id);
    expect(viewed['attachments']).toEqual(rec['attachments']);
  });

  it('appends with field+, removes with field-, replaces a single file, deletes by setting empty', async () => {
    const docs = pb.collection('docs');
    const rec = await docs.create({ title: 'b', attachments: [text('1', 'a.txt')] });
    const [a] = rec['attachments'] as string[];

    const appended = await docs.update(rec.id, { 'attachments+': [text('2', 'b.txt'), text('3', 'c.txt')] });
    expect(appended['attachments']).toHaveLength(3);
    expect(appended['attachments'][0]).toBe(a);
    expect(await keysOf(rec.id)).toEqual((appended['attachments'] as string[]).map((n) => folder(rec.id) + n).sort());

    const removed = await docs.update(rec.id, { 'attachments-': [a] });
    expect(removed['attachments']).toEqual((appended['attachments'] as string[]).slice(1));
    expect(await keysOf(rec.id)).toEqual((removed['attachments'] as string[]).map((n) => folder(rec.id) + n).sort());

    const withCover = await docs.update(rec.id, { cover: png('first.png') });
    const replaced = await docs.update(rec.id, { cover: png('second.png') });
    expect(replaced['cover']).toMatch(storedName('second', '.png'));
    expect((await keysOf(rec.id)).filter((k) => k.includes('first'))).toEqual([]);
    expect(await keysOf(rec.id)).toContain(folder(rec.id) + replaced['cover']);
    expect(withCover['cover']).not.toBe(replaced['cover']);

    const emptied = await docs.update(rec.id, { cover: '', attachments: [] });
    expect(emptied['cover']).toBe('');
    expect(emptied['attachments']).toEqual([]);
    expect(await keysOf(rec.id)).toEqual([]);
    await docs.delete(rec.id);
  });

  it('an upload under the plain key replaces the field (wire: PocketBase), unless the kept names are sent with it', async () => {
    const docs = pb.collection('docs');
    const rec = await docs.create({ title: 'c', attachments: [text('1', 'aaa.txt'), text('2', 'bbb.txt')] });
    const [a, b] = rec['attachments'] as string[];
    const kept = await docs.update(rec.id, { attachments: [a, text('3', 'ccc.txt')] });
    expect(kept['attachments']).toHaveLength(2);
    expect(kept['attachments'][0]).toBe(a);
    expect(await keysOf(rec.id)).not.toContain(folder(rec.id) + b);
    const replaced = await docs.update(rec.id, { attachments: [text('4', 'ddd.txt')] });
    expect(replaced['attachments']).toHaveLength(1);
    expect(replaced['attachments'][0]).toMatch(storedName('ddd', '.txt'));
    expect(await keysOf(rec.id)).toEqual([folder(rec.id) + replaced['attachments'][0]]);
    await docs.delete(rec.id);
    expect(await keysOf(rec.id)).toEqual([]);
  });

  it('deleting a record removes its files, and those of records its delete cascades to', async () => {
    const doc = await pb.collection('docs').create({ title: 'd', cover: png('x.png') });
    const note = await pb.collection('notes').create({ doc: doc.id, file: text('n', 'note.txt') });
    const notesId = t.galley.core.schema.findCollection('notes')!.id;
    const own = async () => (await t.keys()).filter((k) => k.startsWith(folder(doc.id)) || k.startsWith(`${notesId}/${note.id}/`));
    expect(await own()).toHaveLength(2);
    await pb.collection('docs').delete(doc.id);
    await expect(pb.collection('notes').getOne(note.id)).rejects.toMatchObject({ status: 404 });
    expect(await own()).toEqual([]);
    expect(t.diskFiles().filter((f) => f.includes(doc.id) || f.includes(note.id))).toEqual([]);
  });

  it('validation errors come back in PocketBase shape and leave nothing stored', async () => {
    const docs = pb.collection('docs');
    const before = await t.keys();
    await expect(docs.create({ title: 'e', attachments: [1, 2, 3, 4].map((i) => text(String(i), `${i}.txt`)) })).rejects.toMatchObject({
      status: 400,
      response: { data: { attachments: { code: 'validation_too_many_files' } } },
    });
    await expect(docs.create({ title: 'e', cover: text('<html></html>', 'evil.png') })).rejects.toMatchObject({
      status: 400,
      response: { data: { cover: { code: 'validation_invalid_mime_type' } } },
    });
    await expect(docs.create({ title: 'e', attachments: [new File([new Uint8Array(4001)], 'big.bin')] })).rejects.toMatchObject({
      status: 400,
      response: { data: { attachments: { code: 'validation_file_size_limit' } } },
    });
    expect(await t.keys()).toEqual(before);
  });
});
