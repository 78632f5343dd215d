/**
 * `expand`: a literal string or an `expand({...})` spec → the shape of the result's `expand` — one record or an
 * array by the relation's maxSelect, back-relations (`x_via_y`) as arrays unless a one-column unique index makes
 * them single, nested as deep as the string goes (the server stops at 6 levels).
 */
import type { RecordOf } from './record.ts';
import type { CollectionByName, CollectionByRef, FieldByName, IsMulti, Prettify } from './schema.ts';

declare const expandBrand: unique symbol;

export type ExpandSpec = { readonly [relation: string]: boolean | ExpandSpec };

/** What `expand({...})` returns: the comma list, carrying its spec for the types. */
export type ExpandString<T> = string & { readonly [expandBrand]: T };

type Trim<S extends string> = S extends ` ${infer R}` ? Trim<R> : S extends `${infer R} ` ? Trim<R> : S;
/** A comma list → a union of its trimmed items. */
export type SplitList<S extends string> = S extends `${infer A},${infer B}` ? Trim<A> | SplitList<B> : Trim<S>;
export type Head<P> = P extends `${infer H}.${string}` ? H : P;
export type Rest<P, H extends string> = P extends `${H}.${infer R}` ? R : never;

/** wire: MAX_EXPAND_DEPTH (server/src/records/expand.ts); deeper segments are dropped by the server. */
type Depth = [0, 0, 0, 0, 0, 0];

type PathTree<P extends string, D extends unknown[] = []> = D['length'] extends Depth['length']
  ? {}
  : { [H in Exclude<Head<P>, ''> & string]: PathTree<Rest<P, H>, [...D, 0]> };

type SpecTree<T> = { [K in keyof T as T[K] extends false ? never : K]: T[K] extends ExpandSpec ? SpecTree<T[K]> : {} };

/** The expand tree of an `expand` option; `string` when it is not a literal. */
export type ExpandTree<E> = [E] extends [never]
  ? {}
  : E extends ExpandString<infer T>
    ? SpecTree<T>
    : string extends E
      ? string
      : E extends string
        ? PathTree<SplitList<E>>
        : {};

type NameOf<C> = C extends { readonly name: infer N } ? N : never;
type IdOf<C> = C extends { readonly id: infer I } ? I : never;
type Arity<V, Multi> = Multi extends true ? V[] : Multi extends false ? V : V | V[];

type Unquote<S extends string> = S extends `\`${infer R}\`` | `"${infer R}"` | `[${infer R}]` | `'${infer R}'` ? R : S;
type UniqueIndexOn<I, Column extends string> = I extends string
  ? Uppercase<I> extends `${string}UNIQUE INDEX${string}`
    ? I extends `${string}(${infer Cols})${string}`
      ? Lowercase<Unquote<Trim<Cols>>> extends Lowercase<Column>
        ? true
        : never
      : never
    : never
  : never;
type HasUniqueIndex<C, Column extends string> = C extends { readonly indexes: readonly (infer I)[] } ? ([UniqueIndexOn<I, Column>] extends [never] ? false : true) : false;

/** A relation of C by name, or a back-relation `x_via_y`: [target collection, arity]. */
export type ExpandTarget<S, C, K extends string> =
  FieldByName<C, K> extends infer F
    ? [F] extends [never]
      ? K extends `${infer X}_via_${infer Y}`
        ? FieldByName<CollectionByName<S, X>, Y> extends infer Back
          ? [Back] extends [never]
            ? never
            : Back extends { readonly type: 'relation'; readonly collectionId: NameOf<C> | IdOf<C> }
              ? [CollectionByName<S, X>, HasUniqueIndex<CollectionByName<S, X>, Y> extends true ? false : true]
              : never
          : never
        : never
      : F extends { readonly type: 'relation'; readonly collectionId: infer Ref }
        ? [CollectionByRef<S, Ref>, IsMulti<F>]
        : never
    : never;

/** The record of C with its `expand` shaped by Tree. */
export type Expanded<S, C, Tree, J> = Tree extends string
  ? RecordOf<C, J> & { expand?: { [key: string]: any } }
  : keyof Tree extends never
    ? RecordOf<C, J>
    : RecordOf<C, J> & { expand?: ExpandShape<S, C, Tree, J> };

type ExpandShape<S, C, Tree, J> = Prettify<{
  [K in keyof Tree & string]?: ExpandTarget<S, C, K> extends [infer T, infer Multi] ? Arity<Expanded<S, T, Tree[K], J>, Multi> : never;
}>;

/** Paths of Tree that name no relation (never when all do). */
export type InvalidExpandPaths<S, C, Tree, Prefix extends string = ''> = Tree extends string
  ? never
  : {
      [K in keyof Tree & string]: ExpandTarget<S, C, K> extends infer Target
        ? [Target] extends [never]
          ? `${Prefix}${K}`
          : Target extends [infer T, unknown]
            ? InvalidExpandPaths<S, T, Tree[K], `${Prefix}${K}.`>
            : never
        : never;
    }[keyof Tree & string];
