// The app lifecycle hooks (issue 14) through createGalley({ hooks }) under Bun and Node: onBootstrap before the
// start resolves (a throw fails it), onServe once listening (it sees the address and adds a route), onTerminate
// at close while the data can still be read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGalley, type HooksApp } from '../../src/index.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

const schema = [{ name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] }];

async function start(hooks: (app: HooksApp) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'galley-hooks-lifecycle-'));
  try {
    return { dir, galley: await createGalley({ dir, schema, env: {}, logger: createTestLogger(), hooks }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

describe('lifecycle hooks', () => {
  it('onBootstrap runs before the start resolves; onServe sees the address and adds a route; onTerminate runs on close', async () => {
    const seen: string[] = [];
    const { dir, galley } = await start((app) => {
      app.onBootstrap(async (e) => {
        seen.push(`bootstrap posts=${await app.countRecords('posts')}`);
        await e.next();
      });
      app.onServe(async (e) => {
        seen.push(`serve ${e.server.url}`);
        e.router.add('GET', '/api/served', (r: { json(s: number, b: unknown): void }) => r.json(200, { served: true }));
        await e.next();
      });
      app.onTerminate(async (e) => {
        seen.push(`terminate ${String(e.isRestart)} posts=${await app.countRecords('posts')}`);
        await e.next();
      });
    });
    try {
      expect(seen).toEqual(['bootstrap posts=0']);
      const { url } = await galley.listen('127.0.0.1:0');
      expect(seen).toEqual(['bootstrap posts=0', `serve ${url}`]);
      expect(await (await fetch(`${url}/api/served`)).json()).toEqual({ served: true });
      await galley.close();
      expect(seen).toEqual(['bootstrap posts=0', `serve ${url}`, 'terminate false posts=0']);
    } finally {
      await galley.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an in-process restore restarts: onTerminate with isRestart true while the data is there, then onBootstrap again', async () => {
    const seen: string[] = [];
    const { dir, galley } = await start((app) => {
      app.onBootstrap(async (e) => {
        seen.push(`bootstrap posts=${await app.countRecords('posts')}`);
        await e.next();
      });
      app.onTerminate(async (e) => {
        seen.push(`terminate ${String(e.isRestart)} posts=${await app.countRecords('posts')}`);
        await e.next();
      });
    });
    try {
      await galley.core.backups.create('empty.tar.gz');
      expect((await galley.handle(new Request('http://127.0.0.1/api/collections/posts/records', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"after the backup"}' }))).status).toBe(200);
      await galley.core.backups.restore('empty.tar.gz');
      for (let i = 0; i < 600 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
      expect(seen).toEqual(['bootstrap posts=0', 'terminate true posts=1', 'bootstrap posts=0']);
      await galley.close();
      expect(seen.at(-1)).toBe('terminate false posts=0');
    } finally {
      await galley.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a throw in onBootstrap fails the start with its message', async () => {
    await expect(
      start((app) =>
        app.onBootstrap(() => {
          throw new Error('not configured: set MY_API_KEY');
        }),
      ),
    ).rejects.toThrow('not configured: set MY_API_KEY');
  });
});
