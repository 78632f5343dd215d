// Compiled by tsc in types-module.test.ts: each module `galley types` wrote for schema-examples/ types a client
// through @galley/sdk's createClient<typeof schema>. Wrong uses are errors (pinned with @ts-expect-error, so a
// type that widened to any would fail the compile).
import { createClient, type CreateFor, type RecordFor } from '@galley/sdk';
import blog from './snapshots/blog.ts';
import shop from './snapshots/shop.ts';
import todo from './snapshots/todo.ts';

const pb = createClient<typeof blog>('http://127.0.0.1:8090');

export async function readPosts(): Promise<string[]> {
  const post = await pb.collection('posts').getOne('abc');
  const status: 'draft' | 'published' = post.status;
  const author: string = post.author;
  const tags: string[] = post.tags;
  // @ts-expect-error: posts has no field "titel"
  post.titel;
  // @ts-expect-error: "archived" is not a status
  const wrong: typeof post.status = 'archived';
  // @ts-expect-error: no collection "post"
  pb.collection('post');
  return [status, author, ...tags, String(wrong)];
}

type User = RecordFor<typeof blog, 'users'>;
// email is optional: the server leaves it out unless emailVisibility (or the reader is the owner or a superuser)
export const userKeys = (u: User): [string | undefined, boolean, boolean] => [u.email, u.emailVisibility, u.verified];
// @ts-expect-error: password is never in a response type
export const leaked = (u: User): string => u.password;

// @ts-expect-error: a post needs its required title, slug, status and author
export const missing: CreateFor<typeof blog, 'posts'> = { body: 'x' };

export const clients = [createClient<typeof shop>(), createClient<typeof todo>()];

// blog.schema.ts (defineSchema) and the module galley types writes for blog.json type the same records
import blogTs from '../../../schema-examples/blog.schema.ts';
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const samePosts: Same<RecordFor<typeof blogTs, 'posts'>, RecordFor<typeof blog, 'posts'>> = true;
export const sameUsers: Same<RecordFor<typeof blogTs, 'users'>, RecordFor<typeof blog, 'users'>> = true;
export const sameCreate: Same<CreateFor<typeof blogTs, 'comments'>, CreateFor<typeof blog, 'comments'>> = true;
