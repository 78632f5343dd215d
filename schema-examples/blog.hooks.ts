// Server hooks for the blog (schema-examples/blog.schema.ts): `galley serve --schema schema-examples/blog.schema.ts
// --hooks schema-examples/blog.hooks.ts` (a file named galley.hooks.ts beside the schema file is loaded without
// --hooks). PocketBase's JS hook names; records typed from the schema. docs/hooks.md explains each family.
import type { HooksApp } from '@galley/sdk';
import type schema from './blog.schema.ts';

/** `Hello, World!` → `hello-world` (the schema's slug pattern: ^[a-z0-9]+(?:-[a-z0-9]+)*$). */
function slugify(title: string): string {
  return title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'post';
}

export default (app: HooksApp<typeof schema>) => {
  // A slug from the title when the client sends none: before validation, so the required slug is there.
  app.onRecordCreateRequest(async (e) => {
    if (!e.record.get('slug')) e.record.set('slug', slugify(e.record.get('title') ?? ''));
    await e.next();
  }, 'posts');

  // Tell another service when a post is published (set BLOG_PUBLISH_WEBHOOK to a URL). After the commit, so a
  // failed write never calls it; awaited before the client's answer; an error is logged, the update stands.
  app.onRecordAfterUpdateSuccess(async (e) => {
    const url = process.env['BLOG_PUBLISH_WEBHOOK'];
    if (url && e.record.get('status') === 'published') {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'post.published', id: e.record.id, slug: e.record.get('slug'), title: e.record.get('title') }),
      });
      if (!res.ok) app.logger.warn('publish webhook answered an error', { status: res.status, post: e.record.id });
    }
    await e.next();
  }, 'posts');

  // Numbers for the signed-in author's dashboard: GET /api/blog/stats with a users token (a guest gets 401).
  app.routerAdd(
    'GET',
    '/api/blog/stats',
    async (e) => {
      const author = e.auth!.id;
      const [published, drafts, comments] = await Promise.all([
        app.countRecords('posts', "author = {:author} && status = 'published'", { author }),
        app.countRecords('posts', "author = {:author} && status = 'draft'", { author }),
        app.countRecords('comments', 'post.author = {:author}', { author }),
      ]);
      e.json(200, { published, drafts, comments });
    },
    app.requireAuth('users'),
  );

  // Every night at 03:00 UTC: drafts nobody touched for a year go (a hundred a night at most). Listed in
  // GET /api/crons and run by hand with POST /api/crons/blogDraftsCleanup (superusers).
  app.cronAdd('blogDraftsCleanup', '0 3 * * *', async () => {
    const cutoff = new Date(Date.now() - 365 * 24 * 3600 * 1000).toISOString().replace('T', ' ');
    const stale = await app.findRecordsByFilter('posts', "status = 'draft' && updated < {:cutoff}", '', 100, 0, { cutoff });
    for (const post of stale) await app.delete(post);
    if (stale.length > 0) app.logger.info('blog: stale drafts deleted', { count: stale.length });
  });
};
