/**
 * The `users` auth collection most tests start from: anyone may sign up, each user sees and edits only
 * themselves, deletes are superusers-only. Pure data, so e2e tests (which run the binary) can use it too.
 */
export function selfServiceUsers(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'users',
    type: 'auth',
    listRule: 'id = @request.auth.id',
    viewRule: 'id = @request.auth.id',
    createRule: '',
    updateRule: 'id = @request.auth.id',
    deleteRule: null,
    fields: [{ name: 'name', type: 'text' }],
    ...overrides,
  };
}
