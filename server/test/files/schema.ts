// The collections the files tests share: public and protected file fields, and a superusers-only collection.
import { selfServiceUsers } from '../helpers/users-collection.ts';
export const THUMBS = ['50x50', '0x40', '40x0', '60x30t', '60x30b', '60x30f', '500x500f'];

export function filesSchema(): unknown[] {
  return [
    selfServiceUsers(),
    {
      name: 'docs',
      type: 'base',
      listRule: '',
      // wire: the view rule guards only protected fields; public files are served to anyone
      viewRule: 'owner = @request.auth.id',
      createRule: '',
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1 },
        { name: 'files', type: 'file', maxSelect: 10, maxSize: 10_000_000, thumbs: THUMBS },
        { name: 'secret', type: 'file', maxSelect: 1, protected: true, thumbs: ['50x50'] },
      ],
    },
    {
      name: 'vault',
      type: 'base',
      listRule: null,
      viewRule: null,
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'title', type: 'text' },
        { name: 'open', type: 'file', maxSelect: 1 },
        { name: 'locked', type: 'file', maxSelect: 1, protected: true },
      ],
    },
  ];
}
