// createGalley() as a library: listens on a real socket under whichever runtime runs this suite.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGalley } from '../src/index.ts';
import { createLogger } from '../src/lib/log.ts';

describe('library mode', () => {
  it('listens on a free port, answers over HTTP, and closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'galley-lib-'));
    const galley = await createGalley({
      dir,
      schema: [{ name: 'items', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] }],
      logger: createLogger('error', () => {}),
    });
    try {
      const { url } = await galley.listen('127.0.0.1:0');
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const created = await fetch(`${url}/api/collections/items/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"over the wire"}' });
      expect(created.status).toBe(200);
      const listed = (await (await fetch(`${url}/api/collections/items/records`)).json()) as { items: { title: string }[] };
      expect(listed.items.map((i) => i.title)).toEqual(['over the wire']);
      expect((await fetch(`${url}/api/health`)).headers.get('x-frame-options')).toBe('SAMEORIGIN');
    } finally {
      await galley.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a start that fails leaves no data dir it made, and keeps one that was there', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'galley-lib-'));
    const bad = [{ name: 'a', type: 'base', fields: [{ name: 'x', type: 'txt' }] }];
    try {
      const fresh = join(parent, 'galley_data');
      await expect(createGalley({ dir: fresh, schema: bad })).rejects.toThrow(/txt/);
      expect(existsSync(fresh)).toBe(false);
      const kept = join(parent, 'kept');
      mkdirSync(kept);
      await expect(createGalley({ dir: kept, schema: bad })).rejects.toThrow(/txt/);
      expect(readdirSync(kept)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('refuses a malformed schema before opening anything, listing every problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'galley-lib-'));
    try {
      await expect(
        createGalley({ dir, schema: [{ name: 'a', type: 'base', fields: [{ name: 'x', type: 'txt' }, { name: 'y', type: 'relation', collectionId: 'nope' }] }] }),
      ).rejects.toThrow(/txt[\s\S]*nope|nope[\s\S]*txt/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies additive schema changes on start and refuses ones that would lose data, naming galley migrate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'galley-lib-'));
    const quiet = createLogger('error', () => {});
    const v1 = [{ name: 'notes', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }, { name: 'body', type: 'text' }] }];
    const v2 = [{ ...v1[0], fields: [...v1[0]!.fields, { name: 'stars', type: 'number' }] }];
    const v3 = [{ ...v1[0], fields: [{ name: 'title', type: 'text' }] }];
    try {
      const first = await createGalley({ dir, schema: v1, logger: quiet });
      await first.handle(new Request('http://localhost/api/collections/notes/records', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"kept","body":"b"}' }));
      await first.close();
      const second = await createGalley({ dir, schema: v2, logger: quiet });
      const listed = (await (await second.handle(new Request('http://localhost/api/collections/notes/records'))).json()) as { items: Record<string, unknown>[] };
      expect(listed.items).toEqual([expect.objectContaining({ title: 'kept', body: 'b', stars: 0 })]);
      await second.close();
      await expect(createGalley({ dir, schema: v3, logger: quiet })).rejects.toThrow(/galley migrate/);
      const again = await createGalley({ dir, schema: v2, logger: quiet });
      const still = (await (await again.handle(new Request('http://localhost/api/collections/notes/records'))).json()) as { items: Record<string, unknown>[] };
      expect(still.items[0]).toMatchObject({ body: 'b' });
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
