/** The auth collection keys of the schema file (PocketBase's auth options, flattened on the collection). */
import { Type } from '@sinclair/typebox';

export const makeRuleOption = (description: string) =>
  Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: `${description} null = superusers only, "" = anyone, otherwise a filter expression.`,
    }),
  );

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
    clientSecret: Type.Optional(Type.String({ description: 'The secret, or "$env:NAME" to read it from the environment variable NAME (which must be set). Never sent back by the API.' })),
    authURL: Type.Optional(Type.String()),
    tokenURL: Type.Optional(Type.String()),
    userInfoURL: Type.Optional(Type.String()),
    displayName: Type.Optional(Type.String()),
    pkce: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    // wire: PocketBase answers an unset `extra` as null, so a collection read from the API imports back
    extra: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  },
  { additionalProperties: false },
);

export const authOptionKeys = {
  authRule: makeRuleOption('Who may authenticate (evaluated against the authenticating record).'),
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

