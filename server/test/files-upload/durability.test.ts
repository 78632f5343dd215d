// Files and rows stay in step: racing updates never leave a row naming a removed file; the orphan sweep
// removes exactly the files no record names (thumbnails included), leaves uploads in flight and foreign keys alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepOrphanFiles } from '../../src/files/orphan-sweep.ts';
import { settleFileRemovals, storeUploads } from '../../src/records/record-files.ts';
import { UploadedFile } from '../../src/schema/fields/file.ts';
import { startFilesGalley, type FilesGalley } from './harness.ts';

let t: FilesGalley;
beforeAll(async () => {
  t = await startFilesGalley();
});
afterAll(() => t?.close());

const upload = (name: string, text: string) => {
  const form = new FormData();
  form.append('attachments+', new File([text], name));
  return form;
};

/** Every name the records of `docs` hold must be stored, and every stored key must be named by a record. */
async function expectInStep(): Promise<void> {
  await settleFileRemovals(t.galley.core.storage);
  const list = await t.call('GET', '/api/collections/docs/records?perPage=500');
  const named = list.json.items.flatMap((r: any) => [r.cover, ...r.attachments].filter(Boolean).map((n: string) => `${t.docsId}/${r.id}/${n}`));
  expect(await t.keys()).toEqual(named.sort());
}

describe('racing writes on one record', () => {
  it('a removal racing an update that keeps the removed name: the row never names a missing file', async () => {
    for (let round = 0; round < 15; round++) {
      const form = new FormData();
      form.append('attachments', new File(['a'], 'first.txt'));
      form.append('attachments', new File(['b'], 'second.txt'));
      const rec = (await t.call('POST', '/api/collections/docs/records', { body: form })).json;
      const [a, b] = rec.attachments as string[];
      const keep = new FormData();
      keep.append('@jsonPayload', JSON.stringify({ attachments: [a, b] }));
      keep.append('attachments', new File(['c'], 'third.txt'));
      const path = `/api/collections/docs/records/${rec.id}`;
      const [removed, kept, appended] = await Promise.all([
        t.call('PATCH', path, { body: { 'attachments-': [a] } }),
        t.call('PATCH', path, { body: keep }),
        t.call('PATCH', path, { body: upload('fourth.txt', 'd') }),
      ]);
      expect(removed.status).toBe(200);
      expect([200, 400]).toContain(kept.status);
      if (kept.status === 400) expect(kept.json.data.attachments.code).toBe('validation_invalid_file');
      expect([200, 400]).toContain(appended.status);
      await expectInStep();
    }
  });
});

describe('orphan sweep', () => {
  it('removes unnamed files and their thumbnails, keeps named ones, in-flight uploads and foreign keys', async () => {
    const storage = t.galley.core.storage;
    const form = new FormData();
    form.append('attachments', new File(['keep'], 'keep.txt'));
    const rec = (await t.call('POST', '/api/collections/docs/records', { body: form })).json;
    const folder = `${t.docsId}/${rec.id}/`;
    const named = rec.attachments[0] as string;
    const bytes = new TextEncoder().encode('x');
    const orphans = [folder + 'stray_abcdefghij.txt', `${folder}thumbs_stray_abcdefghij.txt/100x100_stray_abcdefghij.txt`, `${t.docsId}/nosuchrecord123/gone_abcdefghij.png`];
    const kept = [folder + named, `${folder}thumbs_${named}/100x100_${named}`];
    const foreign = ['not-a-collection/r/x.txt', 'loose.txt', `${t.docsId}/too/deep/for/us.txt`];
    for (const key of [...orphans, ...kept.slice(1), ...foreign]) await storage.put(key, bytes);

    // An upload stored and waiting for its row's commit is not an orphan yet.
    const docs = t.galley.core.schema.findCollection('docs')!;
    const inFlight = await storeUploads(t.galley.core, docs, 'pendingrecord01', { attachments: [new UploadedFile('pending_abcdefghij.txt', 'p.txt', 'text/plain', bytes)] });

    const report = await sweepOrphanFiles(t.galley.core, { batchSize: 2 });
    expect(report.removed).toBe(orphans.length);
    expect(report.truncated).toBe(false);
    const keys = await t.keys();
    for (const k of orphans) expect(keys).not.toContain(k);
    for (const k of [...kept, ...foreign, `${t.docsId}/pendingrecord01/pending_abcdefghij.txt`]) expect(keys).toContain(k);

    inFlight.discard();
    await settleFileRemovals(storage);
    expect(await t.keys()).not.toContain(`${t.docsId}/pendingrecord01/pending_abcdefghij.txt`);
    for (const k of foreign) await storage.delete(k);
    await storage.deletePrefix(`${folder}thumbs_${named}/`);
    await expectInStep();
  });

  it('stops at its object cap and says so', async () => {
    const report = await sweepOrphanFiles(t.galley.core, { maxObjects: 1 });
    expect(report.examined).toBe(1);
    expect(report.truncated).toBe(true);
  });
});
