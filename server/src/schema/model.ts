/**
 * The resolved collection model: PocketBase's collection JSON with every default filled in.
 * Produced by schema/load.ts from a schema file; everything else in the server reads only this.
 */

export type CollectionType = 'base' | 'auth' | 'view';

/** A field as PocketBase's collection JSON has it; type-specific options sit beside the common keys. */
export interface FieldModel {
  id: string;
  name: string;
  type: string;
  system: boolean;
  hidden: boolean;
  presentable: boolean;
  required?: boolean;
  help?: string;
  /** Galley: declares that this field was renamed from another (the migration planner reads it). */
  renamedFrom?: string;
  [option: string]: unknown;
}

export interface TokenOptions {
  duration: number;
}

export interface EmailTemplate {
  subject: string;
  body: string;
}

/** Keys only auth collections have (PocketBase §6.7). Secrets never live in the schema file. */
export interface AuthOptions {
  authRule: string | null;
  manageRule: string | null;
  authAlert: { enabled: boolean; emailTemplate: EmailTemplate };
  oauth2: {
    enabled: boolean;
    mappedFields: { id: string; name: string; username: string; avatarURL: string };
    providers: Array<Record<string, unknown>>;
  };
  passwordAuth: { enabled: boolean; identityFields: string[] };
  mfa: { enabled: boolean; duration: number; rule: string };
  otp: { enabled: boolean; duration: number; length: number; emailTemplate: EmailTemplate };
  authToken: TokenOptions;
  passwordResetToken: TokenOptions;
  emailChangeToken: TokenOptions;
  verificationToken: TokenOptions;
  fileToken: TokenOptions;
  verificationTemplate: EmailTemplate;
  resetPasswordTemplate: EmailTemplate;
  confirmEmailChangeTemplate: EmailTemplate;
}

export interface CollectionModel {
  id: string;
  name: string;
  type: CollectionType;
  system: boolean;
  listRule: string | null;
  viewRule: string | null;
  createRule: string | null;
  updateRule: string | null;
  deleteRule: string | null;
  fields: FieldModel[];
  indexes: string[];
  /** view collections only */
  viewQuery?: string;
  /** auth collections only */
  auth?: AuthOptions;
  /** Galley: declares that this collection was renamed from another. */
  renamedFrom?: string;
}

export type RuleName = 'listRule' | 'viewRule' | 'createRule' | 'updateRule' | 'deleteRule';

/** The whole loaded schema with lookups. Collection names are case-insensitive (wire: PB looks names up that way). */
export interface Schema {
  readonly collections: readonly CollectionModel[];
  /** by exact id, or by name case-insensitively */
  findCollection(idOrName: string): CollectionModel | undefined;
  findField(collection: CollectionModel, name: string): FieldModel | undefined;
}

export function buildSchema(collections: CollectionModel[]): Schema {
  const byId = new Map<string, CollectionModel>();
  const byName = new Map<string, CollectionModel>();
  const fieldsOf = new Map<CollectionModel, Map<string, FieldModel>>();
  for (const c of collections) {
    byId.set(c.id, c);
    byName.set(c.name.toLowerCase(), c);
    fieldsOf.set(c, new Map(c.fields.map((f) => [f.name, f])));
  }
  return {
    collections,
    findCollection: (idOrName) => byId.get(idOrName) ?? byName.get(idOrName.toLowerCase()),
    findField: (collection, name) => fieldsOf.get(collection)?.get(name),
  };
}
