// The TypeScript twin of blog.json: `galley serve --schema schema-examples/blog.schema.ts` serves the same backend.
// defineSchema returns its argument unchanged; its `const` type parameter keeps every name and value literal, so
// `createClient<typeof schema>(url)` types records, expand, filters and auth from this file (no `as const`, no codegen).
import { defineSchema } from '@galley/sdk';

export const schema = defineSchema({
  collections: [
    {
      name: 'users',
      type: 'auth',
      listRule: 'id = @request.auth.id',
      viewRule: '',
      createRule: '',
      updateRule: 'id = @request.auth.id',
      deleteRule: 'id = @request.auth.id',
      fields: [
        { name: 'name', type: 'text', max: 255 },
        { name: 'avatar', type: 'file', maxSelect: 1, mimeTypes: ['image/jpeg', 'image/png', 'image/webp'] },
      ],
    },
    {
      name: 'tags',
      listRule: '',
      viewRule: '',
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [{ name: 'name', type: 'text', required: true, max: 50, presentable: true }],
      indexes: ['CREATE UNIQUE INDEX `idx_tags_name` ON `tags` (`name`)'],
    },
    {
      name: 'posts',
      listRule: "status = 'published' || author = @request.auth.id",
      viewRule: "status = 'published' || author = @request.auth.id",
      createRule: "@request.auth.id != '' && author = @request.auth.id",
      updateRule: 'author = @request.auth.id',
      deleteRule: 'author = @request.auth.id',
      fields: [
        { name: 'title', type: 'text', required: true, max: 200, presentable: true },
        { name: 'slug', type: 'text', required: true, pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' },
        { name: 'body', type: 'editor' },
        { name: 'status', type: 'select', values: ['draft', 'published'], maxSelect: 1, required: true },
        { name: 'author', type: 'relation', collectionId: 'users', maxSelect: 1, required: true },
        { name: 'tags', type: 'relation', collectionId: 'tags', maxSelect: 10 },
        { name: 'cover', type: 'file', maxSelect: 1, maxSize: 5242880, mimeTypes: ['image/jpeg', 'image/png', 'image/webp'], thumbs: ['400x300'] },
        { name: 'published', type: 'date' },
      ],
      indexes: [
        'CREATE UNIQUE INDEX `idx_posts_slug` ON `posts` (`slug`)',
        'CREATE INDEX `idx_posts_status_created` ON `posts` (`status`, `created`)',
      ],
    },
    {
      name: 'comments',
      listRule: '',
      viewRule: '',
      createRule: "@request.auth.id != '' && author = @request.auth.id",
      updateRule: 'author = @request.auth.id',
      deleteRule: 'author = @request.auth.id',
      fields: [
        { name: 'post', type: 'relation', collectionId: 'posts', maxSelect: 1, required: true, cascadeDelete: true },
        { name: 'author', type: 'relation', collectionId: 'users', maxSelect: 1, required: true },
        { name: 'body', type: 'text', required: true, max: 2000 },
      ],
      indexes: ['CREATE INDEX `idx_comments_post` ON `comments` (`post`)'],
    },
  ],
});

export default schema;
