// The raw schema (schema-examples/blog.schema.ts: ids and system fields left out) and the normalized module
// `galley types` writes for blog.json (server/test/types-module/snapshots/blog.ts) give identical types.
import type { CreateFor, RecordFor, UpdateFor } from '../src/index.ts';
import type raw from '../../schema-examples/blog.schema.ts';
import type normalized from '../../server/test/types-module/snapshots/blog.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// one mapped level so the comparison sees keys, modifiers and value types, not how each side's intersection was built
type Flat<T> = { [K in keyof T]: T[K] };
type Raw = typeof raw;
type Norm = typeof normalized;

// written out per collection: a generic alias would let TS settle Equal before N is known
export const same: Array<[true, true, true]> = [
  [
    true as Equal<Flat<RecordFor<Raw, 'users'>>, Flat<RecordFor<Norm, 'users'>>>,
    true as Equal<Flat<CreateFor<Raw, 'users'>>, Flat<CreateFor<Norm, 'users'>>>,
    true as Equal<Flat<UpdateFor<Raw, 'users'>>, Flat<UpdateFor<Norm, 'users'>>>,
  ],
  [
    true as Equal<Flat<RecordFor<Raw, 'tags'>>, Flat<RecordFor<Norm, 'tags'>>>,
    true as Equal<Flat<CreateFor<Raw, 'tags'>>, Flat<CreateFor<Norm, 'tags'>>>,
    true as Equal<Flat<UpdateFor<Raw, 'tags'>>, Flat<UpdateFor<Norm, 'tags'>>>,
  ],
  [
    true as Equal<Flat<RecordFor<Raw, 'posts'>>, Flat<RecordFor<Norm, 'posts'>>>,
    true as Equal<Flat<CreateFor<Raw, 'posts'>>, Flat<CreateFor<Norm, 'posts'>>>,
    true as Equal<Flat<UpdateFor<Raw, 'posts'>>, Flat<UpdateFor<Norm, 'posts'>>>,
  ],
  [
    true as Equal<Flat<RecordFor<Raw, 'comments'>>, Flat<RecordFor<Norm, 'comments'>>>,
    true as Equal<Flat<CreateFor<Raw, 'comments'>>, Flat<CreateFor<Norm, 'comments'>>>,
    true as Equal<Flat<UpdateFor<Raw, 'comments'>>, Flat<UpdateFor<Norm, 'comments'>>>,
  ],
];
