// The blog example (schema-examples/blog.json) as a TypeScript schema, plus fields the type tests need; the runtime
// tests (sdk/test/client.test.ts) serve it too.
import { defineSchema } from '../src/index.ts';

export default defineSchema({
  collections: [
    {
      name: 'users',
      type: 'auth',
      listRule: 'id = @request.auth.id',
      viewRule: '',
      createRule: '',
      updateRule: 'id = @request.auth.id',
      deleteRule: 'id = @request.auth.id',
      oauth2: { enabled: true, providers: [{ name: 'github', clientId: 'id1', clientSecret: 'secret1' }, { name: 'google', clientId: 'id2', clientSecret: 'secret2' }] },
      fields: [
        { name: 'name', type: 'text', max: 255 },
        { name: 'avatar', type: 'file', maxSelect: 1, mimeTypes: ['image/jpeg', 'image/png', 'image/webp'] },
        { name: 'secretNote', type: 'text', hidden: true },
      ],
    },
    {
      name: 'tags',
      listRule: '',
      viewRule: '',
      createRule: '',
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
        { name: 'code', type: 'text', required: true, autogeneratePattern: '[a-z]{6}' },
        { name: 'body', type: 'editor' },
        { name: 'status', type: 'select', values: ['draft', 'published'], maxSelect: 1, required: true },
        { name: 'labels', type: 'select', values: ['news', 'howto', 'opinion'], maxSelect: 3 },
        { name: 'author', type: 'relation', collectionId: 'users', maxSelect: 1, required: true },
        { name: 'tags', type: 'relation', collectionId: 'tags', maxSelect: 10 },
        { name: 'cover', type: 'file', maxSelect: 1, thumbs: ['400x300', '100x100'] },
        { name: 'gallery', type: 'file', maxSelect: 5, thumbs: ['50x50'] },
        { name: 'published', type: 'date' },
        { name: 'views', type: 'number' },
        { name: 'featured', type: 'bool' },
        { name: 'meta', type: 'json' },
        { name: 'place', type: 'geoPoint' },
      ],
      indexes: ['CREATE UNIQUE INDEX `idx_posts_slug` ON `posts` (`slug`)'],
    },
    {
      name: 'comments',
      listRule: '',
      viewRule: '',
      createRule: "@request.auth.id != ''",
      fields: [
        { name: 'post', type: 'relation', collectionId: 'posts', maxSelect: 1, required: true, cascadeDelete: true },
        { name: 'author', type: 'relation', collectionId: 'users', maxSelect: 1, required: true },
        { name: 'body', type: 'text', required: true, max: 2000 },
      ],
    },
    {
      name: 'profiles',
      listRule: '',
      fields: [
        { name: 'user', type: 'relation', collectionId: 'users', maxSelect: 1, required: true },
        { name: 'bio', type: 'text' },
      ],
      indexes: ['CREATE UNIQUE INDEX `idx_profiles_user` ON `profiles` (`user`)'],
    },
    {
      name: 'post_stats',
      type: 'view',
      listRule: '',
      viewQuery: 'SELECT posts.id, COUNT(comments.id) AS comments FROM posts LEFT JOIN comments ON comments.post = posts.id GROUP BY posts.id',
      fields: [{ name: 'comments', type: 'number' }],
    },
  ],
});
