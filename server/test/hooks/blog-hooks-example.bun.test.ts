// schema-examples/blog.hooks.ts as it ships (imported from disk: Bun only), on the blog schema: the slug hook,
// the stats route with auth and the nightly drafts cleanup run by hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley } from '../../src/index.ts';
import { REPO, callGalley, signUp, superuserToken, type TestGalley } from '../helpers/test-galley.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

let t: TestGalley;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'galley-blog-hooks-'));
  const galley = await createGalley({
    dir,
    schemaFile: join(REPO, 'schema-examples', 'blog.schema.ts'),
    hooks: join(REPO, 'schema-examples', 'blog.hooks.ts'),
    env: {},
    logger: createTestLogger(),
  });
  t = {
    galley,
    dir,
    call: (method, path, opts) => callGalley(galley, method, path, opts),
    async close() {
      await galley.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
afterAll(() => t?.close());

describe('schema-examples/blog.hooks.ts', () => {
  it('answers GET /api/blog/stats for a signed-in author only, and its cleanup job runs by hand', async () => {
    expect((await t.call('GET', '/api/blog/stats')).status).toBe(401);
    const ann = await signUp(t, 'users', { email: 'ann@example.com' });
    for (const [title, status] of [['One', 'published'], ['Two', 'draft'], ['Three', 'published']]) {
      const res = await t.call('POST', '/api/collections/posts/records', { auth: ann.token, body: { title, status, author: ann.id } });
      expect(res.status).toBe(200);
      expect(res.json.slug).toBe(title!.toLowerCase());
    }
    expect((await t.call('GET', '/api/blog/stats', { auth: ann.token })).json).toEqual({ published: 2, drafts: 1, comments: 0 });

    const root = await superuserToken(t);
    const job = async () => ((await t.call('GET', '/api/crons', { auth: root })).json as Array<Record<string, unknown>>).find((j) => j['id'] === 'blogDraftsCleanup')!;
    expect(await job()).toMatchObject({ expression: '0 3 * * *', lastRun: null });
    await t.galley.core.cron.run('blogDraftsCleanup');
    expect(await job()).toMatchObject({ lastError: null, lastRun: expect.any(String) });
    // a fresh draft is not stale
    expect((await t.call('GET', '/api/blog/stats', { auth: ann.token })).json).toMatchObject({ drafts: 1 });
  });
});
