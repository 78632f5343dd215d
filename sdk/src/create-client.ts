/** `createClient<typeof schema>(url)`: a PocketBase client whose collections are typed from the schema. */
import type { BaseAuthStore, RecordService } from 'pocketbase';
import { GalleyClient } from './client.ts';
import type { JsonTypes } from './types/record.ts';
import type { AnySchema, CollectionByName, CollectionNames, SchemaShape } from './types/schema.ts';
import type { CollectionService, TypedFileService } from './types/service.ts';

/** The client for schema S: every PocketBase member, with `collection()` and `files` typed. */
export type TypedClient<S, J = {}> = Omit<GalleyClient, 'collection' | 'files'> & {
  /** A collection of the schema, typed from it. */
  collection<N extends CollectionNames<S>>(name: N): CollectionService<S, CollectionByName<S, N>, J>;
  /** A system collection (`_superusers`, `_externalAuths`, …), with PocketBase's own loose types. */
  collection(name: `_${string}`): RecordService;
  readonly files: TypedFileService;
};

/** Without a schema type the client is PocketBase's (plus the additions), loosely typed as it is. */
export type Client<S = AnySchema, J = {}> = S extends AnySchema ? GalleyClient : TypedClient<S, J>;

/**
 * @example
 * import schema from './galley.schema.ts';
 * const client = createClient<typeof schema>('http://127.0.0.1:8090');
 * const { items } = await client.collection('posts').getList(1, 20, { expand: 'author', sort: '-created' });
 */
export function createClient<S extends SchemaShape | AnySchema = AnySchema, J extends JsonTypes = {}>(
  baseURL?: string,
  authStore?: BaseAuthStore | null,
  lang?: string,
): Client<S, J> {
  return new GalleyClient(baseURL, authStore, lang) as unknown as Client<S, J>;
}
