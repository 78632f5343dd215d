// The scenario runner checks what a row states (status, fragments, record events) and the test logger catches
// unclassified errors: both are proved here, so a runner that checked nothing would fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from './scenario.ts';
import { signUp, startTestGalley, superuserToken, type TestGalley } from './test-galley.ts';
import { createTestLogger, expectUnclassifiedErrors, takeUnclassifiedErrors, UNCLASSIFIED } from './test-logger.ts';

const SCHEMA = [
  { name: 'users', type: 'auth', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'secret', type: 'text', hidden: true }] },
  {
    name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '@request.auth.id != ""', updateRule: null, deleteRule: '@request.auth.id != ""',
    fields: [{ name: 'title', type: 'text', required: true }],
  },
];

let t: TestGalley;
const tokens: Record<string, string | null> = { guest: null };
const ids: Record<string, string> = {};
beforeAll(async () => {
  t = await startTestGalley(SCHEMA);
  tokens['root'] = await superuserToken(t);
  const amy = await signUp(t, 'users', { email: 'amy@example.com' });
  tokens['amy'] = amy.token;
});
afterAll(() => t?.close());

const posts = '/api/collections/posts/records';

describe('a route table through runScenario', () => {
  const table: Scenario[] = [
    { name: 'a guest may not create a post; nothing fires', method: 'POST', path: posts, as: 'guest', body: { title: 'x' }, status: 400, events: [] },
    { name: 'a user creates a post; one create fires after commit', method: 'POST', path: posts, as: 'amy', body: { title: 'Hello' }, status: 200, contains: ['"title":"Hello"'], events: ['create:posts'], check: (j) => void (ids['post'] = j.id) },
    { name: 'a hidden field is not in a list, even for its owner', method: 'GET', path: '/api/collections/users/records', as: 'amy', status: 200, contains: ['amy@example.com'], notContains: ['"secret"'] },
    { name: 'a superuser sees the hidden field', method: 'GET', path: '/api/collections/users/records', as: 'root', status: 200, contains: ['amy@example.com', '"secret":'] },
    { name: 'the path may name an id known only when the row runs', method: 'DELETE', path: () => `${posts}/${ids['post']}`, as: 'amy', status: 204, events: ['delete:posts'] },
  ];
  it.each(table)('$name', async (s) => {
    await runScenario(t, s, tokens);
  });

  it('a row whose status, fragments or events are wrong fails', async () => {
    const row: Scenario = { name: 'x', method: 'POST', path: posts, as: 'amy', body: { title: 'Again' }, status: 200 };
    await expect(runScenario(t, { ...row, status: 201 }, tokens)).rejects.toThrow(/x: /);
    await expect(runScenario(t, { ...row, contains: ['"title":"Other"'] }, tokens)).rejects.toThrow();
    await expect(runScenario(t, { ...row, notContains: ['"title":"Again"'] }, tokens)).rejects.toThrow();
    await expect(runScenario(t, { ...row, events: [] }, tokens)).rejects.toThrow(/record events/);
    await expect(runScenario(t, { ...row, as: 'nobody' }, tokens)).rejects.toThrow(/no token named "nobody"/);
  });
});

describe('the test logger', () => {
  it('collects an unclassified error, and ignores other errors', () => {
    const log = createTestLogger();
    log.error('mail not sent', { to: 'x' });
    log.error(UNCLASSIFIED, { error: 'TypeError: boom' });
    expect(takeUnclassifiedErrors()).toEqual([`${UNCLASSIFIED} {"error":"TypeError: boom"}`]);
  });

  it('a test that expects one says so (the afterEach check then wants exactly that many)', () => {
    expectUnclassifiedErrors(1);
    createTestLogger().error(UNCLASSIFIED, { error: 'on purpose' });
  });
});
