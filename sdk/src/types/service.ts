/**
 * `client.collection(name)` typed from the schema: PocketBase's RecordService with typed records, bodies and
 * options; auth methods only on auth collections, no writes on views. At run time it is the SDK's own service.
 */
import type {
  AuthMethodsList,
  CommonOptions,
  FileOptions,
  ListResult,
  OAuth2AuthConfig,
  OTPResponse,
  RecordService,
  SendOptions,
  UnsubscribeFunc,
} from 'pocketbase';
import type PocketBase from 'pocketbase';
import type { ExpandTree, Expanded, InvalidExpandPaths } from './expand.ts';
import type { CheckSort, SortKey, WhereInput, WithFields } from './query.ts';
import type { CreateBody, ThumbOf, UpdateBody } from './record.ts';
import type { CollectionType } from './schema.ts';

/** The record a call returns for its `expand` (E) and `fields` (F) options. */
export type ResultRecord<S, C, J, E, F> = WithFields<Expanded<S, C, ExpandTree<E>, J>, F>;

/** An error on `expand` when a literal names no relation (or back-relation) of the collection. */
type CheckExpand<S, C, E> = [InvalidExpandPaths<S, C, ExpandTree<E>>] extends [never] ? unknown : { expand: { notARelation: InvalidExpandPaths<S, C, ExpandTree<E>> } };

export interface RecordOptions<E extends string, F extends string> extends CommonOptions {
  /** Relations to expand: a comma list, or `expand({ author: true })`. */
  expand?: E;
  /** Keys to return: a comma list (`*` for all of a level, `expand.author.name` inside the expand). */
  fields?: F;
}

export interface ListOptions<S, C, E extends string, F extends string, O extends string> extends RecordOptions<E, F> {
  page?: number;
  perPage?: number;
  /** `-created,title`, or `['-created', 'title']`. */
  sort?: O | readonly SortKey<S, C>[];
  /** A filter string, `` filter`…${value}` ``, or both with `where`. */
  filter?: string;
  /** Conditions on fields and `relation.field` paths, joined with `&&` (and with `filter` when both are given). */
  where?: WhereInput<S, C>;
  skipTotal?: boolean;
}

export interface FullListOptions<S, C, E extends string, F extends string, O extends string> extends ListOptions<S, C, E, F, O> {
  batch?: number;
}

export interface SubscribeOptions<S, C, E extends string, F extends string> extends SendOptions {
  expand?: E;
  fields?: F;
  filter?: string;
  where?: WhereInput<S, C>;
}

type Checked<S, C, E, O> = CheckExpand<S, C, E> & CheckSort<S, C, O>;

/** wire: the realtime event of a record subscription. */
export interface RecordEvent<R> {
  action: 'create' | 'update' | 'delete';
  record: R;
}

export interface RecordAuthResponse<R> {
  record: R;
  token: string;
  meta?: { [key: string]: any };
}

export interface ReadMethods<S, C, J> {
  getList<const E extends string = never, const F extends string = never, const O extends string = never>(
    page?: number,
    perPage?: number,
    options?: ListOptions<S, C, E, F, O> & Checked<S, C, E, O>,
  ): Promise<ListResult<ResultRecord<S, C, J, E, F>>>;
  getFullList<const E extends string = never, const F extends string = never, const O extends string = never>(
    options?: FullListOptions<S, C, E, F, O> & Checked<S, C, E, O>,
  ): Promise<Array<ResultRecord<S, C, J, E, F>>>;
  getFullList<const E extends string = never, const F extends string = never, const O extends string = never>(
    batch?: number,
    options?: ListOptions<S, C, E, F, O> & Checked<S, C, E, O>,
  ): Promise<Array<ResultRecord<S, C, J, E, F>>>;
  getFirstListItem<const E extends string = never, const F extends string = never, const O extends string = never>(
    filter: string,
    options?: ListOptions<S, C, E, F, O> & Checked<S, C, E, O>,
  ): Promise<ResultRecord<S, C, J, E, F>>;
  getOne<const E extends string = never, const F extends string = never>(
    id: string,
    options?: RecordOptions<E, F> & CheckExpand<S, C, E>,
  ): Promise<ResultRecord<S, C, J, E, F>>;
  /** `'*'` for every record of the collection, or one record's id. */
  subscribe<const E extends string = never, const F extends string = never>(
    topic: '*' | (string & {}),
    callback: (data: RecordEvent<ResultRecord<S, C, J, E, F>>) => void,
    options?: SubscribeOptions<S, C, E, F> & CheckExpand<S, C, E>,
  ): Promise<UnsubscribeFunc>;
  unsubscribe(topic?: string): Promise<void>;
}

export interface WriteMethods<S, C, J> {
  create<const E extends string = never, const F extends string = never>(
    body: CreateBody<C, J> | FormData,
    options?: RecordOptions<E, F> & CheckExpand<S, C, E>,
  ): Promise<ResultRecord<S, C, J, E, F>>;
  update<const E extends string = never, const F extends string = never>(
    id: string,
    body: UpdateBody<C, J> | FormData,
    options?: RecordOptions<E, F> & CheckExpand<S, C, E>,
  ): Promise<ResultRecord<S, C, J, E, F>>;
  delete(id: string, options?: CommonOptions): Promise<boolean>;
}

/** The OAuth2 providers an auth collection configures (`oauth2.providers[].name`). */
export type ProvidersOf<C> = C extends { readonly oauth2: { readonly providers: readonly (infer P)[] } } ? (P extends { readonly name: infer N extends string } ? N : never) : never;

export interface AuthMethods<S, C, J> {
  authWithPassword<const E extends string = never, const F extends string = never>(
    usernameOrEmail: string,
    password: string,
    options?: RecordOptions<E, F> & CheckExpand<S, C, E>,
  ): Promise<RecordAuthResponse<ResultRecord<S, C, J, E, F>>>;
  /** The popup flow of the SDK; `provider` is one the collection configures. */
  authWithOAuth2<const E extends string = never, const F extends string = never>(
    options: Omit<OAuth2AuthConfig, 'provider' | 'query' | 'createData'> & {
      provider: ProvidersOf<C>;
      createData?: Partial<CreateBody<C, J>>;
      query?: RecordOptions<E, F> & CheckExpand<S, C, E>;
    },
  ): Promise<RecordAuthResponse<ResultRecord<S, C, J, E, F>>>;
  authWithOAuth2Code<const E extends string = never, const F extends string = never>(
    provider: ProvidersOf<C>,
    code: string,
    codeVerifier: string,
    redirectURL: string,
    createData?: Partial<CreateBody<C, J>>,
    options?: RecordOptions<E, F> & CheckExpand<S, C, E>,
  ): Promise<RecordAuthResponse<ResultRecord<S, C, J, E, F>>>;
  authRefresh<const E extends string = never, const F extends string = never>(
    options?: RecordOptions<E, F> & CheckExpand<S, C, E>,
  ): Promise<RecordAuthResponse<ResultRecord<S, C, J, E, F>>>;
  authWithOTP<const E extends string = never, const F extends string = never>(
    otpId: string,
    password: string,
    options?: RecordOptions<E, F> & CheckExpand<S, C, E>,
  ): Promise<RecordAuthResponse<ResultRecord<S, C, J, E, F>>>;
  requestOTP(email: string, options?: CommonOptions): Promise<OTPResponse>;
  listAuthMethods(options?: CommonOptions): Promise<AuthMethodsList>;
  requestPasswordReset(email: string, options?: CommonOptions): Promise<boolean>;
  confirmPasswordReset(passwordResetToken: string, password: string, passwordConfirm: string, options?: CommonOptions): Promise<boolean>;
  requestVerification(email: string, options?: CommonOptions): Promise<boolean>;
  confirmVerification(verificationToken: string, options?: CommonOptions): Promise<boolean>;
  requestEmailChange(newEmail: string, options?: CommonOptions): Promise<boolean>;
  confirmEmailChange(emailChangeToken: string, password: string, options?: CommonOptions): Promise<boolean>;
  listExternalAuths(recordId: string, options?: CommonOptions): Promise<Array<{ id: string; provider: ProvidersOf<C>; providerId: string; recordRef: string; collectionRef: string }>>;
  unlinkExternalAuth(recordId: string, provider: ProvidersOf<C>, options?: CommonOptions): Promise<boolean>;
  impersonate(recordId: string, duration: number, options?: CommonOptions): Promise<PocketBase>;
}

type AuthMethodName = keyof AuthMethods<never, never, never>;
type TypedName = keyof ReadMethods<never, never, never> | keyof WriteMethods<never, never, never> | AuthMethodName;

/** A collection's service: PocketBase's RecordService, typed; writes only where the collection takes them. */
export type CollectionService<S, C, J> = Omit<RecordService, TypedName> &
  ReadMethods<S, C, J> &
  (CollectionType<C> extends 'view' ? unknown : WriteMethods<S, C, J>) &
  (CollectionType<C> extends 'auth' ? AuthMethods<S, C, J> : unknown);

/** `client.files`, with `getURL`'s `thumb` limited to the sizes the file's field configures. */
export interface TypedFileService extends Omit<PocketBase['files'], 'getURL'> {
  getURL<const N extends string>(
    record: { id: string; collectionId?: string; collectionName?: string },
    filename: N,
    options?: Omit<FileOptions, 'thumb'> & { thumb?: ThumbOf<N> },
  ): string;
}
