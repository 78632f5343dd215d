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
};
