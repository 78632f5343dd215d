// Server hooks (issue 14) as a user runs them: the compiled binary loads galley.hooks.ts beside the schema file
// (with a relative import), and the official SDK sees each record family's effect. Under --dev, an edit of the
// hooks file's local import is reloaded, and a broken edit keeps the hooks loaded before.
import { createServer, type Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startBinary, type RunningBinary } from './helpers/binary.ts';
import { expectError } from './helpers/sdk-errors.ts';

const schema = {
  collections: [
    {
      name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
      fields: [{ name: 'title', type: 'text', required: true }, { name: 'slug', type: 'text' }, { name: 'published', type: 'bool' }],
    },
    { name: 'audit', type: 'base', listRule: '', viewRule: '', fields: [{ name: 'note', type: 'text' }, { name: 'post', type: 'relation', collectionId: 'posts', maxSelect: 1 }] },
  ],
};

const HOOKS = `import { ForbiddenError } from '@galley/sdk';
import { slugify } from './lib/slug.ts';

export default (app) => {
  app.onRecordCreateRequest(async (e) => {
    if (e.record.get('title') === 'teapot') return e.json(418, { answeredBy: 'hook' });
    e.record.set('slug', slugify(e.record.get('title')));
    await e.next();
  }, 'posts');
  app.onRecordValidate(async (e) => {
    if (e.record.get('title') === 'forbidden words') {
      throw new app.BadRequestError('Failed to create record.', { title: new app.ValidationError('validation_bad_words', 'Mind your language.') });
    }
    await e.next();
  }, 'posts');
  app.onRecordCreate(async (e) => {
    await app.save(app.newRecord('audit', { note: 'created ' + e.record.title }));
    await e.next();
  }, 'posts');
  app.onRecordCreate(async (e) => {
    if (e.record.get('title') === 'boom') throw new Error('model hook exploded');
    await e.next();
  }, 'posts');
  app.onRecordCreate(async (e) => {
    await e.next();
    if (!String(e.record.get('title')).startsWith('after ')) return;
    await app.save(app.newRecord('audit', { note: 'stored ' + e.record.title, post: e.record.id }));
    if (e.record.get('title') === 'after boom') throw new Error('exploded after the write');
  }, 'posts');
  app.onRecordDeleteRequest(async (e) => {
    const post = await app.findRecordById('posts', e.record.id);
    if (post.get('published')) throw new ForbiddenError('Published posts stay.');
    await e.next();
  }, 'posts');
  app.onRecordAfterUpdateSuccess(async (e) => {
    if (e.record.get('published')) await (await fetch(process.env.WEBHOOK_URL + '/published/' + e.record.id, { method: 'POST' })).text();
    await e.next();
  }, 'posts');
};
`;

const slugModule = (suffix: string) => `export function slugify(title: string): string {\n  return title.toLowerCase().replaceAll(' ', '-') + '${suffix}';\n}\n`;

let server: RunningBinary;
let pb: PocketBase;
let webhook: Server;
let dir: string;
const webhookCalls: string[] = [];

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${server.output().stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const auditNotes = async () => (await pb.collection('audit').getFullList({ sort: 'created' })).map((r) => r['note'] as string);

beforeAll(async () => {
  webhook = createServer((req, res) => {
    webhookCalls.push(req.url ?? '');
    res.end('ok');
  });
  await new Promise<void>((ready) => webhook.listen(0, '127.0.0.1', ready));
  const address = webhook.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  dir = makeTempDir();
  writeFileSync(join(dir, 'schema.json'), JSON.stringify(schema, null, 2));
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'slug.ts'), slugModule(''));
  writeFileSync(join(dir, 'galley.hooks.ts'), HOOKS);
  server = await startBinary({ schema: join(dir, 'schema.json'), dir: join(dir, 'data'), args: ['--dev'], env: { WEBHOOK_URL: `http://127.0.0.1:${port}` } });
  pb = new PocketBase(server.url);
}, 30_000);

afterAll(async () => {
  const exit = await server?.stop();
  await new Promise((done) => webhook.close(done));
  expect(exit?.code).toBe(0);
});

describe('hooks file on the compiled binary', () => {
  it('galley.hooks.ts beside the schema is loaded: a request hook changes the body, a model hook writes a second record', async () => {
    expect(server.output().stderr + server.output().stdout).toContain('hooks: loaded');
    const post = await pb.collection('posts').create({ title: 'Hello World' });
    expect(post['slug']).toBe('hello-world');
    expect(await auditNotes()).toContain('created Hello World');
  });

  it('a request hook answers itself and nothing is written', async () => {
    const err = await expectError(pb.collection('posts').create({ title: 'teapot' }), 418);
    expect(err.response).toEqual({ answeredBy: 'hook' });
    expect(await pb.collection('posts').getList(1, 1, { filter: "title = 'teapot'" })).toMatchObject({ totalItems: 0 });
  });

  it('a validation hook fails a create with a field error', async () => {
    const err = await expectError(pb.collection('posts').create({ title: 'forbidden words' }), 400);
    expect(err.response).toEqual({ status: 400, message: 'Failed to create record.', data: { title: { code: 'validation_bad_words', message: 'Mind your language.' } } });
  });

  it('the record a model hook wrote disappears with the write that failed after it', async () => {
    const err = await expectError(pb.collection('posts').create({ title: 'boom' }), 400);
    expect(err.response['message']).toBe('Something went wrong while processing your request.');
    expect(await auditNotes()).not.toContain('created boom');
    expect(server.output().stderr + server.output().stdout).toContain('model hook exploded');
  });

  it('code after e.next() in a model hook sees the row written, and a throw there takes the row and what the hooks wrote', async () => {
    const post = await pb.collection('posts').create({ title: 'after write' });
    const related = await pb.collection('audit').getFullList({ filter: "note = 'stored after write'" });
    expect(related.map((r) => r['post'])).toEqual([post.id]);
    const err = await expectError(pb.collection('posts').create({ title: 'after boom' }), 400);
    expect(err.response['message']).toBe('Something went wrong while processing your request.');
    expect(await pb.collection('posts').getList(1, 1, { filter: "title = 'after boom'" })).toMatchObject({ totalItems: 0 });
    const notes = await auditNotes();
    expect(notes).not.toContain('created after boom');
    expect(notes).not.toContain('stored after boom');
    expect(server.output().stderr + server.output().stdout).toContain('exploded after the write');
  });

  it('an after-commit hook has called the local HTTP server when the update is answered', async () => {
    const post = await pb.collection('posts').create({ title: 'To publish' });
    await pb.collection('posts').update(post.id, { published: true });
    expect(webhookCalls).toContain(`/published/${post.id}`);
  });

  it("a request hook throws the '@galley/sdk' error class the binary provides", async () => {
    const post = await pb.collection('posts').create({ title: 'Kept', published: true });
    const err = await expectError(pb.collection('posts').delete(post.id), 403);
    expect(err.response).toEqual({ status: 403, message: 'Published posts stay.', data: {} });
    const draft = await pb.collection('posts').create({ title: 'Draft' });
    expect(await pb.collection('posts').delete(draft.id)).toBe(true);
  });

  it('--dev reloads an edit of a local import, and a broken edit keeps the hooks loaded before', async () => {
    writeFileSync(join(dir, 'lib', 'slug.ts'), slugModule('-v2'));
    await until('the reloaded slug module', async () => {
      const post = await pb.collection('posts').create({ title: 'Second Post' });
      return post['slug'] === 'second-post-v2' ? post : undefined;
    });
    writeFileSync(join(dir, 'galley.hooks.ts'), HOOKS.replace('export default (app) => {', 'export default (app) => {{'));
    await until('the load error', async () => (/hooks file .*galley\.hooks\.ts/.test(server.output().stderr + server.output().stdout) ? true : undefined));
    const output = server.output().stderr + server.output().stdout;
    expect(output).toContain('the hooks loaded before stay in use');
    const post = await pb.collection('posts').create({ title: 'Third Post' });
    expect(post['slug']).toBe('third-post-v2');
  });
});
