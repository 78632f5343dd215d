/**
 * Issue 18's reproduction: self-made accounts that see each other, each listing friends (a relation to many
 * users, maxSelect 10). Pure data, so the e2e test against the binary uses it too.
 */
export function friendsUsers(): Record<string, unknown> {
  return {
    name: 'users',
    type: 'auth',
    listRule: "@request.auth.id != ''",
    viewRule: "@request.auth.id != ''",
    createRule: '',
    updateRule: 'id = @request.auth.id',
    deleteRule: null,
    fields: [
      { name: 'name', type: 'text' },
      { name: 'friends', type: 'relation', collectionId: 'users', maxSelect: 10 },
    ],
  };
}

/** The filter of the report: six multi-valued hops, ten rows each, per record. */
export const SIX_HOP_FILTER = "name='x' && friends.name ?~ friends.friends.friends.friends.friends.friends.id";
/** Allowed (four hops, the limit) but costly: it runs on the reader worker, about 0.4 s for ten friends of ten. */
export const FOUR_HOP_FILTER = 'friends.name ?~ friends.friends.friends.friends.id';
