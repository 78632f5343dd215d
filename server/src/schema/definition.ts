/**
 * The schema file, as TypeBox: PocketBase's collection JSON (an "Export collections" array, or
 * `{ "$schema", "collections" }`), every id and system field optional. The published JSON Schema is
 * generated from these definitions; the loader checks files against them key by key.
 */
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { fieldTypeNames, getFieldType } from './fields/registry.ts';

const Rule = (description: string) =>
  Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: `${description} null = superusers only, "" = anyone, otherwise a filter expression.`,
    }),
  );

/** Keys every field has, whatever its type. */
export const fieldCommonKeys = {
  id: Type.Optional(Type.String({ description: 'Field id; derived from type and name when left out.' })),
  name: Type.String({ pattern: '^\\w+$', maxLength: 100, description: 'Field name (letters, digits, _).' }),
  system: Type.Optional(Type.Boolean({ description: 'System fields cannot be renamed or deleted.' })),
  hidden: Type.Optional(Type.Boolean({ description: 'Left out of API responses except for superusers.' })),
  presentable: Type.Optional(Type.Boolean({ description: 'Shown by the dashboard when the record is referenced.' })),
  renamedFrom: Type.Optional(Type.String({ description: 'Galley: the previous name of this field, to migrate its data.' })),
};

/** One field definition per type: the discriminated union editors complete against. */
export function buildFieldDefinition(typeName: string): TObject {
  const type = getFieldType(typeName);
  if (!type) throw new Error(`unknown field type ${typeName}`);
  return Type.Object(
    { ...fieldCommonKeys, type: Type.Literal(typeName), ...type.options.properties },
    { additionalProperties: false, title: `${typeName} field` },
  );
}

export const FieldDefinition = Type.Union(fieldTypeNames().map(buildFieldDefinition), { description: 'A field.' });

const Template = Type.Object(
  { subject: Type.String(), body: Type.String({ description: 'HTML; placeholders such as {APP_NAME}, {APP_URL}, {TOKEN}.' }) },
  { additionalProperties: false },
);
const TokenOptions = (description: string) =>
  Type.Optional(
    Type.Object(
      { duration: Type.Integer({ minimum: 10, maximum: 94670856, description: 'Seconds.' }) },
      { additionalProperties: false, description },
    ),
  );

const OAuth2Provider = Type.Object(
  {
    name: Type.String({ description: 'Provider name, e.g. "google", "github".' }),
    clientId: Type.Optional(Type.String()),
    clientSecret: Type.Optional(Type.String({ description: 'Prefer an environment variable; never sent back by the API.' })),
    authURL: Type.Optional(Type.String()),
    tokenURL: Type.Optional(Type.String()),
    userInfoURL: Type.Optional(Type.String()),
    displayName: Type.Optional(Type.String()),
    pkce: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    extra: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

/** Auth collection options (PocketBase keys, flattened on the collection object). */
export const authOptionKeys = {
  authRule: Rule('Who may authenticate (evaluated against the authenticating record).'),
  manageRule: Type.Optional(
    Type.Union([Type.String({ minLength: 1 }), Type.Null()], { description: 'Grants full management of other records; null or a filter.' }),
  ),
  authAlert: Type.Optional(
    Type.Object({ enabled: Type.Optional(Type.Boolean()), emailTemplate: Type.Optional(Template) }, { additionalProperties: false }),
  ),
  oauth2: Type.Optional(
    Type.Object(
      {
        enabled: Type.Optional(Type.Boolean()),
        mappedFields: Type.Optional(
          Type.Object(
            {
              id: Type.Optional(Type.String()),
              name: Type.Optional(Type.String()),
              username: Type.Optional(Type.String()),
              avatarURL: Type.Optional(Type.String()),
            },
            { additionalProperties: false },
          ),
        ),
        providers: Type.Optional(Type.Array(OAuth2Provider)),
      },
      { additionalProperties: false },
    ),
  ),
  passwordAuth: Type.Optional(
    Type.Object(
      { enabled: Type.Optional(Type.Boolean()), identityFields: Type.Optional(Type.Array(Type.String())) },
      { additionalProperties: false },
    ),
  ),
  mfa: Type.Optional(
    Type.Object(
      {
        enabled: Type.Optional(Type.Boolean()),
        duration: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
        rule: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
  ),
  otp: Type.Optional(
    Type.Object(
      {
        enabled: Type.Optional(Type.Boolean()),
        duration: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
        length: Type.Optional(Type.Integer({ minimum: 0 })),
        emailTemplate: Type.Optional(Template),
      },
      { additionalProperties: false },
    ),
  ),
  authToken: TokenOptions('Auth token lifetime.'),
  passwordResetToken: TokenOptions('Password reset token lifetime.'),
  emailChangeToken: TokenOptions('Email change token lifetime.'),
  verificationToken: TokenOptions('Verification token lifetime.'),
  fileToken: TokenOptions('Protected file token lifetime.'),
  verificationTemplate: Type.Optional(Template),
  resetPasswordTemplate: Type.Optional(Template),
  confirmEmailChangeTemplate: Type.Optional(Template),
};

const collectionCommonKeys = {
  id: Type.Optional(Type.String({ description: 'Collection id; "pbc_" + CRC32 of type and name when left out.' })),
  name: Type.String({ pattern: '^\\w+$', maxLength: 255, description: 'Collection (and table) name.' }),
  system: Type.Optional(Type.Boolean()),
  listRule: Rule('Who may list records.'),
  viewRule: Rule('Who may view a record.'),
  createRule: Rule('Who may create records.'),
  updateRule: Rule('Who may update a record.'),
  deleteRule: Rule('Who may delete a record.'),
  fields: Type.Optional(Type.Array(FieldDefinition, { description: 'Fields; id, created and updated are implicit.' })),
  indexes: Type.Optional(Type.Array(Type.String(), { description: 'CREATE [UNIQUE] INDEX statements.' })),
  created: Type.Optional(Type.String({ description: 'Ignored (PocketBase API output).' })),
  updated: Type.Optional(Type.String({ description: 'Ignored (PocketBase API output).' })),
  renamedFrom: Type.Optional(Type.String({ description: 'Galley: the previous name of this collection.' })),
};

export const BaseCollectionDefinition = Type.Object(
  { ...collectionCommonKeys, type: Type.Optional(Type.Literal('base')) },
  { additionalProperties: false, title: 'base collection' },
);
export const AuthCollectionDefinition = Type.Object(
  { ...collectionCommonKeys, type: Type.Literal('auth'), ...authOptionKeys },
  { additionalProperties: false, title: 'auth collection' },
);
export const ViewCollectionDefinition = Type.Object(
  { ...collectionCommonKeys, type: Type.Literal('view'), viewQuery: Type.String({ description: 'A SELECT statement.' }) },
  { additionalProperties: false, title: 'view collection' },
);

export const COLLECTION_DEFINITIONS: Readonly<Record<string, TObject>> = {
  base: BaseCollectionDefinition,
  auth: AuthCollectionDefinition,
  view: ViewCollectionDefinition,
};

export const CollectionDefinition = Type.Union([BaseCollectionDefinition, AuthCollectionDefinition, ViewCollectionDefinition]);

export const SchemaFileDefinition = Type.Union(
  [
    Type.Object(
      {
        $schema: Type.Optional(Type.String({ description: 'Path or URL of this JSON Schema, for editors.' })),
        collections: Type.Array(CollectionDefinition),
      },
      { additionalProperties: false },
    ),
    Type.Array(CollectionDefinition, { description: 'A PocketBase "Export collections" array.' }),
  ],
  { title: 'Galley schema file' },
);

export type SchemaFileDefinition = Static<typeof SchemaFileDefinition>;
export type CollectionDefinition = Static<typeof CollectionDefinition>;
export type AnySchema = TSchema;
