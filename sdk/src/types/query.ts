/** `fields` narrowing, typed `sort` keys and the `where({...})` object, per collection. */
import type { Head, Rest, SplitList } from './expand.ts';
import type { FileName, RecordOf } from './record.ts';
import type { CollectionByRef, FieldsOf, Prettify } from './schema.ts';

// ------------------------------------------------------------------------------------------------ fields

/** `"id,title:excerpt(200),expand.author.name"` → its paths, modifiers cut off. */
export type FieldPaths<F extends string> = SplitList<F> extends infer P ? (P extends `${infer N}:${string}` ? N : P) : never;

type NarrowValue<V, P> = [P] extends [never] ? V : V extends readonly (infer E)[] ? NarrowValue<E, P>[] : V extends object ? PickPaths<V, P> : V;

type NarrowExpand<E, P> = Prettify<{ [K in keyof E & Head<P>]?: NarrowValue<NonNullable<E[K]>, Rest<P, K & string>> }>;

/** wire: PocketBase's `fields`: listed keys only, `*` for every key of a level, `expand.x.y` into the expand. */
export type PickPaths<R, P> = '*' extends P
  ? R
  : Prettify<
      Pick<R, Exclude<Head<P> & keyof R, 'expand'>> &
        ('expand' extends Head<P>
          ? R extends { expand?: infer E }
            ? 'expand' extends P
              ? { expand?: E }
              : { expand?: NarrowExpand<NonNullable<E>, Rest<P, 'expand'>> }
            : unknown
          : unknown)
    >;

/** The result with `fields` applied: a literal narrows, any other string leaves every key optional. */
export type WithFields<R, F> = [F] extends [never] ? R : string extends F ? Partial<R> : F extends string ? PickPaths<R, FieldPaths<F>> : R;

// -------------------------------------------------------------------------------------------------- sort

type SystemKey = 'collectionId' | 'collectionName' | 'expand';
/** Keys of a record a filter or sort can name. */
export type RecordKeys<C> = Exclude<keyof RecordOf<C>, SystemKey> & string;

type RelationField<C> = Extract<FieldsOf<C>, { readonly type: 'relation' }>;
type RelationName<C> = RelationField<C> extends infer F ? (F extends { readonly hidden: true } ? never : F extends { readonly name: infer N extends string } ? N : never) : never;
type RelationTarget<S, C, R> = Extract<RelationField<C>, { readonly name: R }> extends { readonly collectionId: infer Ref } ? CollectionByRef<S, Ref> : never;

type SortKeyOf<S, C, K extends string> = K extends `${'-' | '+'}${infer B}` ? SortKeyOf<S, C, B> : K extends `${infer R}.${infer Rest}` ? (R extends RelationName<C> ? SortKeyOf<S, RelationTarget<S, C, R>, Rest> : false) : K extends RecordKeys<C> | '@random' | '@rowid' ? true : false;

type SortListOk<S, C, L extends string> = L extends `${infer A},${infer B}` ? (SortKeyOf<S, C, Trim<A>> extends true ? SortListOk<S, C, B> : false) : SortKeyOf<S, C, Trim<L>>;
type Trim<S extends string> = S extends ` ${infer R}` ? Trim<R> : S extends `${infer R} ` ? Trim<R> : S;

/** One sort key: a field or a `relation.field` path (optionally `-` descending or `+`), `@random` or `@rowid`. */
export type SortKey<S, C> = `${'' | '-' | '+'}${RecordKeys<C> | RelationPath<S, C>}` | '@random' | '@rowid';

/** An error on `sort` when a literal names a key the collection does not have. */
export type CheckSort<S, C, O> = [O] extends [never] ? unknown : string extends O ? unknown : O extends string ? (SortListOk<S, C, O> extends true ? unknown : { sort: SortKey<S, C> }) : unknown;

// ------------------------------------------------------------------------------------------------- where

type Comparable<V> = V extends readonly (infer E)[] ? Comparable<E> : V extends FileName ? string : V extends string ? V | Date : V;

/** PocketBase's operators by name; `any*` are the `?=`-style "any item" forms for multi-valued keys. */
export interface WhereOps<V> {
  eq?: V | null;
  ne?: V | null;
  gt?: V;
  gte?: V;
  lt?: V;
  lte?: V;
  like?: string;
  notLike?: string;
  in?: readonly V[];
  notIn?: readonly V[];
  anyEq?: V | null;
  anyNe?: V | null;
  anyGt?: V;
  anyGte?: V;
  anyLt?: V;
  anyLte?: V;
  anyLike?: string;
  anyNotLike?: string;
}

export type WhereValue<V> = V | null | WhereOps<V> | undefined;

type OwnWhere<C> = { [K in RecordKeys<C>]?: WhereValue<Comparable<RecordOf<C>[K]>> };

type RelationPath<S, C> = RelationName<C> extends infer R ? (R extends string ? `${R}.${RecordKeys<RelationTarget<S, C, R>>}` : never) : never;
type PathValue<S, C, P> = P extends `${infer R}.${infer K}` ? (RecordOf<RelationTarget<S, C, R>> extends infer T ? (K extends keyof T ? Comparable<T[K]> : never) : never) : never;

/** `where({...})`: keys are the collection's fields and `relation.field` paths one hop away; joined with `&&`. */
export type WhereInput<S, C> = OwnWhere<C> & { [P in RelationPath<S, C>]?: WhereValue<PathValue<S, C, P>> } & { $or?: readonly WhereInput<S, C>[] };
