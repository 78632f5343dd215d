/**
 * A collection's record as the API answers it, and the bodies create and update take — computed from the
 * collection's field list, the same for a raw schema file and the normalized one `galley types` writes.
 */
import type { CollectionType, FieldNames, FieldsOf, IsMulti, Prettify } from './schema.ts';

declare const fileBrand: unique symbol;

/** A stored file's name; it remembers its field's thumb sizes, which `files.getURL(record, name, { thumb })` accepts. */
export type FileName<Thumb extends string = string> = string & { readonly [fileBrand]: { thumbs: Thumb } };

/** The thumb sizes a file name allows (any string for a name the types know nothing of). */
export type ThumbOf<Name> = [Exclude<Name, ''>] extends [{ readonly [fileBrand]: { thumbs: infer T } }] ? T : string;

/** Types for `json` fields, by collection then field: `createClient<typeof schema, { posts: { meta: Meta } }>(url)`. */
export type JsonTypes = { readonly [collection: string]: { readonly [field: string]: unknown } };

type JsonOf<J, C, F> = C extends { readonly name: infer CN } ? (CN extends keyof J ? (F extends keyof J[CN] ? J[CN][F] : unknown) : unknown) : unknown;

type SelectValue<F> = F extends { readonly values: readonly (infer V extends string)[] } ? V : string;
type ThumbsOf<F> = F extends { readonly thumbs: readonly (infer T extends string)[] } ? T : never;
type IsRequired<F> = F extends { readonly required: true } ? true : false;

/** One value or an array by maxSelect; `Blank` is what an unset single value reads as. */
type Many<F, V, Blank = never> =
  IsMulti<F> extends true ? V[] : IsMulti<F> extends false ? V | (IsRequired<F> extends true ? never : Blank) : V | V[] | Blank;

interface GeoPoint {
  lon: number;
  lat: number;
}

interface ScalarWire {
  text: string;
  editor: string;
  email: string;
  url: string;
  date: string;
  autodate: string;
  number: number;
  bool: boolean;
  geoPoint: GeoPoint;
}

/** wire: a field's JSON value in a response. */
export type WireValue<F, J> = F extends { readonly type: infer T }
  ? T extends keyof ScalarWire
    ? ScalarWire[T]
    : T extends 'select'
      ? Many<F, SelectValue<F>, ''>
      : T extends 'relation'
        ? Many<F, string, ''>
        : T extends 'file'
          ? Many<F, FileName<ThumbsOf<F>>, ''>
          : T extends 'json'
            ? J
            : unknown
  : never;

type IsAuth<C> = CollectionType<C> extends 'auth' ? true : false;

/** Keys never in a response: hidden fields, passwords; on auth collections `email` is added apart (optional). */
type ResponseField<C> = FieldsOf<C> extends infer F
  ? F extends { readonly hidden: true } | { readonly type: 'password' }
    ? never
    : IsAuth<C> extends true
      ? F extends { readonly name: 'email' }
        ? never
        : F
      : F
  : never;

/** `id`, `created`, `updated` of a hand-written base or auth collection (no `id` field listed). */
type ImplicitFields<C> = CollectionType<C> extends 'view'
  ? unknown
  : 'id' extends FieldNames<C>
    ? unknown
    : Omit<{ created: string; updated: string }, FieldNames<C>>;

type AuthFields<C> =
  IsAuth<C> extends true
    ? {
        /** wire: left out for other users' records unless `emailVisibility` is on (superusers see it always) */
        email?: string;
      } & Omit<{ emailVisibility: boolean; verified: boolean }, FieldNames<C>>
    : unknown;

type NameOf<C> = C extends { readonly name: infer N extends string } ? N : string;

/** The record of collection `C` as a response holds it (before `expand` and `fields`). */
export type RecordOf<C, J = {}> = Prettify<
  { id: string; collectionId: string; collectionName: NameOf<C> } & ImplicitFields<C> &
    AuthFields<C> & { [F in ResponseField<C> as FieldName<F>]: WireValue<F, JsonOf<J, C, FieldName<F>>> }
>;

// ---------------------------------------------------------------------------------------------- bodies

type Upload = File | Blob;

interface ScalarInput {
  text: string;
  editor: string;
  email: string;
  url: string;
  date: string | Date;
  autodate: string | Date;
  number: number;
  bool: boolean;
  geoPoint: GeoPoint;
  password: string;
}

type InputValue<F, J, Update extends boolean> = F extends { readonly type: infer T }
  ? T extends keyof ScalarInput
    ? ScalarInput[T]
    : T extends 'select'
      ? Many<F, SelectValue<F>, ''>
      : T extends 'relation'
        ? Many<F, string, ''>
        : T extends 'file'
          ? Update extends true
            ? IsMulti<F> extends true
              ? Array<Upload | string>
              : Upload | '' | null
            : Many<F, Upload>
          : T extends 'json'
            ? J
            : unknown
  : never;

/** Auth system fields get their own body keys below. */
type AuthBodyNames = 'password' | 'tokenKey' | 'email' | 'emailVisibility' | 'verified';

type BodyField<C> = FieldsOf<C> extends infer F
  ? IsAuth<C> extends true
    ? F extends { readonly name: AuthBodyNames }
      ? never
      : F
    : F
  : never;

/** Values the server fills in when left out: `id`, autodates, text with an `autogeneratePattern`. */
type Generated<F> = F extends { readonly name: 'id' } | { readonly type: 'autodate' }
  ? true
  : F extends { readonly autogeneratePattern: infer P extends string }
    ? P extends ''
      ? false
      : true
    : false;

type RequiredOnCreate<F> = F extends { readonly required: true } ? (Generated<F> extends true ? false : true) : false;

/** The implicit `id`, `created`, `updated` of a hand-written collection, as optional body keys. */
type ImplicitBody<C> = CollectionType<C> extends 'view'
  ? unknown
  : 'id' extends FieldNames<C>
    ? unknown
    : { id?: string } & Omit<{ created?: string | Date; updated?: string | Date }, FieldNames<C>>;

type FieldName<F> = F extends { readonly name: infer N extends string } ? N : never;

type ModifierAdd<F> = F extends { readonly type: 'number' }
  ? number
  : F extends { readonly type: 'file' }
    ? Upload | Upload[]
    : F extends { readonly type: 'select' }
      ? SelectValue<F> | SelectValue<F>[]
      : string | string[];
type ModifierRemove<F> = F extends { readonly type: 'number' } ? number : F extends { readonly type: 'select' } ? SelectValue<F> | SelectValue<F>[] : string | string[];

/** Fields that take `field+` / `field-` (numbers, and select/relation/file holding arrays) and `+field` (the lists). */
type ListField<C> = FieldsOf<C> extends infer F ? (F extends { readonly type: 'select' | 'relation' | 'file' } ? (IsMulti<F> extends false ? never : F) : never) : never;
type NumberField<C> = Extract<FieldsOf<C>, { readonly type: 'number' }>;

type Modifiers<C> = { [F in ListField<C> | NumberField<C> as `${FieldName<F>}+`]?: ModifierAdd<F> } & {
  [F in ListField<C> as `+${FieldName<F>}`]?: ModifierAdd<F>;
} & { [F in ListField<C> | NumberField<C> as `${FieldName<F>}-`]?: ModifierRemove<F> };

type AuthCreate<C> =
  IsAuth<C> extends true ? { email: string; password: string; passwordConfirm: string; emailVisibility?: boolean; verified?: boolean } : unknown;
type AuthUpdate<C> =
  IsAuth<C> extends true
    ? { email?: string; oldPassword?: string; password?: string; passwordConfirm?: string; emailVisibility?: boolean; verified?: boolean }
    : unknown;

/** The body of `create`: required fields required; `id`, autodates and generated text optional; files as uploads. */
export type CreateBody<C, J = {}> = Prettify<
  { [F in BodyField<C> as RequiredOnCreate<F> extends true ? FieldName<F> : never]: InputValue<F, JsonOf<J, C, FieldName<F>>, false> } & {
    [F in BodyField<C> as RequiredOnCreate<F> extends true ? never : FieldName<F>]?: InputValue<F, JsonOf<J, C, FieldName<F>>, false>;
  } & ImplicitBody<C> &
    AuthCreate<C> &
    Modifiers<C>
>;

/** The body of `update`: every field optional, a file list may keep stored names, plus the modifiers. */
export type UpdateBody<C, J = {}> = Prettify<
  { [F in BodyField<C> as FieldName<F>]?: InputValue<F, JsonOf<J, C, FieldName<F>>, true> } & ImplicitBody<C> & AuthUpdate<C> & Modifiers<C>
>;
