// Rules are checked against the schema wherever a schema comes in (library load, collections API, dev reload),
// a modifier a collection field cannot take is a 400 in a client filter, and a rule that still fails at
// request time answers PocketBase's generic 400 without its text (the detail goes to the log).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley } from '../../src/index.ts';
import { SchemaError } from '../../src/schema/schema-error.ts';
import { signUp } from '../helpers/test-galley.ts';
import { startFileGalley, waitFor, type FileGalley } from '../collections/harness.ts';

const SCHEMA = {
  collections: [
    {
      name: 'users', type: 'auth', listRule: '', viewRule: '', createRule: '', updateRule: null, deleteRule: null,
      fields: [{ name: 'name', type: 'text' }, { name: 'team', type: 'relation', collectionId: 'teams', maxSelect: 1 }],
    },
    // `team` is text here: `@request.auth.team.name` holds for users and fails to compile for an admin
    { name: 'admins', type: 'auth', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'team', type: 'text' }] },
    { name: 'teams', type: 'base', listRule: "@request.auth.team.name != 'x'", viewRule: '', fields: [{ name: 'name', type: 'text' }] },
    {
      name: 'posts', type: 'base', listRule: "@request.auth.team.name != 'secret-team'", viewRule: '', createRule: '',
      fields: [{ name: 'title', type: 'text' }, { name: 'author', type: 'relation', collectionId: 'users', maxSelect: 1 }],
    },
    { name: 'memberships', type: 'base', listRule: '', fields: [{ name: 'team', type: 'relation', collectionId: 'teams', maxSelect: 1 }] },
  ],
};

describe('rules checked at load and on every way in', () => {
  let g: FileGalley;
  let user: string;
  let admin: string;
  beforeAll(async () => {
    g = await startFileGalley(SCHEMA, { dev: true });
    user = (await signUp(g, 'users', { email: 'u@example.com' })).token;
    admin = (await signUp(g, 'admins', { email: 'a@example.com' })).token;
    await g.call('POST', '/api/collections/posts/records', { body: { title: 'one' } });
  });
  afterAll(() => g?.close());

  it('library mode: createGalley refuses a schema whose rules name unknown fields, listing every problem', async () => {
    const bad = structuredClone(SCHEMA);
    bad.collections[3]!.listRule = 'auther = @request.auth.id';
    (bad.collections[3] as Record<string, unknown>)['viewRule'] = "@collection.nope.x = 1 || @request.auth.nmae = 'x'";
    const err = await createGalley({ dir: `${g.dir}-lib`, schema: bad, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaError);
    expect((err as SchemaError).problems.map(({ path, message }) => ({ path, message }))).toEqual([
      { path: 'collections/3/listRule', message: '"auther" (at 0): collection "posts" has no field "auther"; did you mean "author"?' },
      { path: 'collections/3/viewRule', message: '"@collection.nope.x" (at 0): no collection "nope"' },
      { path: 'collections/3/viewRule', message: '"@request.auth.nmae" (at 26): no auth collection has a field "nmae"; did you mean "name"?' },
    ]);
  });

  it('collections API: create and update answer 400 with the problem under data.<rule>, and the file is left alone', async () => {
    const before = g.readText();
    const created = await g.call('POST', '/api/collections', {
      auth: g.root,
      body: { name: 'notes', type: 'base', fields: [{ name: 'body', type: 'text' }], listRule: 'bdy = 1', deleteRule: 'body:isset = true' },
    });
    expect(created.status).toBe(400);
    expect(created.json.data).toEqual({
      listRule: { code: 'validation_invalid_rule', message: '"bdy" (at 0): collection "notes" has no field "bdy"; did you mean "body"?' },
      deleteRule: { code: 'validation_invalid_rule', message: '"body:isset" (at 0): ":isset" only applies to @request.* values, not to the field "body" of "notes"' },
    });
    const updated = await g.call('PATCH', '/api/collections/posts', { auth: g.root, body: { updateRule: '@request.body.titel:changed = false' } });
    expect(updated.status).toBe(400);
    expect(updated.json.data.updateRule).toEqual({
      code: 'validation_invalid_rule',
      message: '"@request.body.titel:changed" (at 0): collection "posts" has no field "titel", so @request.body.titel is never set; did you mean "title"?',
    });
    // removing a field another collection's rule reads is refused too, naming that rule
    const dropped = await g.call('PATCH', '/api/collections/teams', { auth: g.root, body: { fields: [] } });
    expect(dropped.status).toBe(400);
    expect(dropped.json.message).toContain('collections/3/listRule: "@request.auth.team.name" (at 0): collection "teams" has no field "name"');
    expect(g.readText()).toBe(before);
  });

  it('serve --dev: a saved file with a bad rule is reported with its JSON pointer and the old schema keeps serving', async () => {
    const bad = structuredClone(SCHEMA);
    bad.collections[3]!.listRule = "titel != ''";
    g.writeSchema(bad);
    const line = 'collections/3/listRule: "titel" (at 0): collection "posts" has no field "titel"; did you mean "title"?';
    await waitFor('the report', () => (g.logs.some((l) => l.includes(line) || l.includes(JSON.stringify(line).slice(1, -1))) ? true : undefined));
    const list = await g.call('GET', '/api/collections/posts/records', { auth: user });
    expect(list.status).toBe(200);
    g.writeSchema(SCHEMA);
  });

  it('a client filter with :isset or :changed on a collection field is a 400 saying so', async () => {
    for (const [filter, words] of [
      ["title:isset = true", 'the :isset modifier does not apply to the field "title" (only @request.* values take it)'],
      ["title:changed = true", 'the :changed modifier does not apply to the field "title" (only @request.* values take it)'],
      ["title:length > 1", 'the :length modifier does not apply to the field "title" (only select, file and relation fields take it)'],
    ] as const) {
      const res = await g.call('GET', `/api/collections/posts/records?filter=${encodeURIComponent(filter)}`, { auth: user });
      expect(res.status, filter).toBe(400);
      expect(res.json.message.toLowerCase(), filter).toContain(words.toLowerCase().replace(/\.$/, ''));
    }
  });

  it('a rule that fails at request time answers the generic 400 without its text; the log has the detail', async () => {
    expect((await g.call('GET', '/api/collections/posts/records', { auth: user })).status).toBe(200);
    const res = await g.call('GET', '/api/collections/posts/records', { auth: admin });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ status: 400, message: 'Something went wrong while processing your request.', data: {} });
    expect(res.text).not.toMatch(/team|secret|auth/);
    expect(g.logs.some((l) => l.includes('a rule of \\"posts\\" failed to compile') && l.includes('team'))).toBe(true);
  });

  it("a client filter into a collection whose listRule fails for the caller is the same generic 400, not that rule's words", async () => {
    const filter = encodeURIComponent("team.name != ''");
    expect((await g.call('GET', `/api/collections/memberships/records?filter=${filter}`, { auth: user })).status).toBe(200);
    const res = await g.call('GET', `/api/collections/memberships/records?filter=${filter}`, { auth: admin });
    expect(res.json).toEqual({ status: 400, message: 'Something went wrong while processing your request.', data: {} });
    expect(g.logs.some((l) => l.includes('a rule of \\"teams\\" failed to compile'))).toBe(true);
  });
});
