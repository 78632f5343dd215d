/**
 * What the types read from a schema: either form of the schema file (`{ collections }` or an array), raw as
 * written (ids and system fields left out) or normalized as `galley types` writes it. Only these keys matter;
 * every other key of the file is allowed and ignored.
 */

export interface FieldShape {
  readonly name: string;
  readonly type: string;
  readonly hidden?: boolean;
  readonly required?: boolean;
}

export interface CollectionShape {
  readonly name: string;
  readonly id?: string;
  readonly type?: string;
  readonly fields?: readonly FieldShape[];
  readonly indexes?: readonly string[];
}

export type SchemaShape = { readonly collections: readonly CollectionShape[] } | readonly CollectionShape[];

/** The schema of a client made without one: every collection name, PocketBase's loose types. */
export interface AnySchema {
  readonly __galleyAnySchema: true;
}

export type CollectionsOf<S> = S extends { readonly collections: readonly (infer C)[] } ? C : S extends readonly (infer C)[] ? C : never;

export type CollectionNames<S> = CollectionsOf<S> extends infer C ? (C extends { readonly name: infer N extends string } ? N : never) : never;

export type CollectionByName<S, N> = Extract<CollectionsOf<S>, { readonly name: N }>;

/** A relation's `collectionId`: an id, or (in a hand-written file) a collection's name. */
export type CollectionByRef<S, Ref> = Extract<CollectionsOf<S>, { readonly id: Ref }> extends infer ById
  ? [ById] extends [never]
    ? Extract<CollectionsOf<S>, { readonly name: Ref }>
    : ById
  : never;

export type FieldsOf<C> = C extends { readonly fields: readonly (infer F)[] } ? F : never;

export type FieldNames<C> = FieldsOf<C> extends infer F ? (F extends { readonly name: infer N extends string } ? N : never) : never;

export type FieldByName<C, N> = Extract<FieldsOf<C>, { readonly name: N }>;

export type CollectionType<C> = C extends { readonly type: infer T extends string } ? T : 'base';

/** wire: maxSelect ≤ 1 is one value, more is an array; a widened number could be either. */
export type IsMulti<F> = F extends { readonly maxSelect: infer M } ? (M extends 0 | 1 | null | undefined ? false : number extends M ? boolean : true) : false;

export type Prettify<T> = { [K in keyof T]: T[K] } & {};
