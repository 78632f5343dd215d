/**
 * Builds a small PocketBase 0.23+ `pb_data` directory the way PocketBase stores it (facts read from its
 * migrations and models, checked against the shape of its own tests/data fixture): `data.db` with
 * `_collections` (fields/indexes/options as JSON text), `_params` (the `settings` row), one table per
 * collection, the system tables, a SQL view for a view collection; `auxiliary.db` with `_logs`; and
 * `storage/<collectionId>/<recordId>/<file>`.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { SignJWT } from 'jose';
import { openSqliteHandle } from '../../src/db/driver.ts';

export const PB_USERS_ID = '_pb_users_auth_';
export const PB_POSTS_ID = 'pbc_1125843985';
export const PB_VIEW_ID = 'pbc_2260351736';
export const PB_SUPERUSERS_ID = 'pbc_3142635823';

export interface PbDataOptions {
  /** a second user whose email repeats the first one's (PocketBase's table here has no unique index): it cannot be imported */
  duplicateEmail?: boolean;
  /** a rule naming a field that does not exist: the import must fail as a whole */
  brokenRule?: boolean;
  /** settings stored encrypted, as PocketBase does when PB_ENCRYPTION holds this 32-character key */
  encryptionKey?: string;
  /** the superuser row stored with verified = 0 (a hand-edited data.db): it must come in verified */
  unverifiedSuperuser?: boolean;
  /** users' authToken secret shorter than PocketBase's 30 characters (hand-edited): the import must fail as PocketBase's does */
  shortTokenSecret?: boolean;
}

export interface PbData {
  dir: string;
  user: { id: string; email: string; password: string; tokenKey: string };
  superuser: { email: string; password: string };
  post: { id: string; title: string; file: string; fileBody: string };
  secrets: { usersAuth: string; usersFile: string };
  oauth2Secret: string;
  /** an auth token for the user, signed as PocketBase signs it (HS256, key = tokenKey + the collection's authToken secret) */
  mintUserToken(): Promise<string>;
}

const NOW = '2025-01-02 03:04:05.678Z';
const ID_FIELD = { autogeneratePattern: '[a-z0-9]{15}', hidden: false, id: 'text3208210256', max: 15, min: 15, name: 'id', pattern: '^[a-z0-9]+$', presentable: false, primaryKey: true, required: true, system: true, type: 'text' };
const AUTODATES = [
  { hidden: false, id: 'autodate2990389176', name: 'created', onCreate: true, onUpdate: false, presentable: false, system: false, type: 'autodate' },
  { hidden: false, id: 'autodate3332085495', name: 'updated', onCreate: true, onUpdate: true, presentable: false, system: false, type: 'autodate' },
];
const authFields = () => [
  ID_FIELD,
  { cost: 10, hidden: true, id: 'password901924565', max: 0, min: 8, name: 'password', pattern: '', presentable: false, required: true, system: true, type: 'password' },
  { autogeneratePattern: '[a-zA-Z0-9]{50}', hidden: true, id: 'text2504183744', max: 60, min: 30, name: 'tokenKey', pattern: '', presentable: false, primaryKey: false, required: true, system: true, type: 'text' },
  { exceptDomains: null, hidden: false, id: 'email3885137012', name: 'email', onlyDomains: null, presentable: false, required: true, system: true, type: 'email' },
  { hidden: false, id: 'bool1547992806', name: 'emailVisibility', presentable: false, required: false, system: true, type: 'bool' },
  { hidden: false, id: 'bool256245529', name: 'verified', presentable: false, required: false, system: true, type: 'bool' },
];
const template = (subject: string) => ({ subject, body: '<p>{APP_NAME}</p>' });
const authOptions = (secret: (n: string) => string, providers: unknown) => ({
  authRule: '',
  manageRule: null,
  authAlert: { enabled: false, emailTemplate: template('Login from a new location') },
  oauth2: { providers, mappedFields: { id: '', name: '', username: '', avatarURL: '' }, enabled: providers !== null },
  passwordAuth: { enabled: true, identityFields: ['email'] },
  mfa: { enabled: false, duration: 1800, rule: '' },
  otp: { enabled: false, duration: 180, length: 8, emailTemplate: template('OTP for {APP_NAME}') },
  authToken: { secret: secret('auth'), duration: 604800 },
  passwordResetToken: { secret: secret('reset'), duration: 1800 },
  emailChangeToken: { secret: secret('change'), duration: 1800 },
  verificationToken: { secret: secret('verify'), duration: 259200 },
  fileToken: { secret: secret('file'), duration: 180 },
  verificationTemplate: template('Verify your {APP_NAME} email'),
  resetPasswordTemplate: template('Reset your {APP_NAME} password'),
  confirmEmailChangeTemplate: template('Confirm your {APP_NAME} new email address'),
});
const SYSTEM_TABLE_COLUMNS = {
  _externalAuths: ['collectionRef', 'recordRef', 'provider', 'providerId'],
  _mfas: ['collectionRef', 'recordRef', 'method'],
  _otps: ['collectionRef', 'recordRef', 'password', 'sentTo'],
  _authOrigins: ['collectionRef', 'recordRef', 'fingerprint'],
};

export function buildPbData(opts: PbDataOptions = {}): PbData {
  const dir = mkdtempSync(join(tmpdir(), 'pb-data-'));
  const db = openSqliteHandle(join(dir, 'data.db'));
  db.exec('PRAGMA journal_mode = WAL'); // as PocketBase runs it
  db.exec(`CREATE TABLE _params (id TEXT PRIMARY KEY NOT NULL, value JSON DEFAULT NULL, created TEXT NOT NULL DEFAULT '', updated TEXT NOT NULL DEFAULT '')`);
  db.exec(`CREATE TABLE _collections (id TEXT PRIMARY KEY NOT NULL, system BOOLEAN DEFAULT FALSE NOT NULL, type TEXT DEFAULT "base" NOT NULL,
    name TEXT UNIQUE NOT NULL, fields JSON DEFAULT "[]" NOT NULL, indexes JSON DEFAULT "[]" NOT NULL, listRule TEXT DEFAULT NULL,
    viewRule TEXT DEFAULT NULL, createRule TEXT DEFAULT NULL, updateRule TEXT DEFAULT NULL, deleteRule TEXT DEFAULT NULL,
    options JSON DEFAULT "{}" NOT NULL, created TEXT NOT NULL DEFAULT '', updated TEXT NOT NULL DEFAULT '')`);
  const addCollection = (c: { id: string; name: string; type: string; system?: boolean; fields: unknown[]; indexes?: string[]; rules?: (string | null)[]; options?: unknown }) =>
    db
      .prepare(`INSERT INTO _collections (id, system, type, name, fields, indexes, listRule, viewRule, createRule, updateRule, deleteRule, options, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
      .run([c.id, c.system ? 1 : 0, c.type, c.name, JSON.stringify(c.fields), JSON.stringify(c.indexes ?? []), ...(c.rules ?? [null, null, null, null, null]), JSON.stringify(c.options ?? {}), NOW, NOW]);

  const secrets = { usersAuth: 'pbUsersAuthSecret'.padEnd(50, 'a'), usersFile: 'pbUsersFileSecret'.padEnd(50, 'f') };
  const userSecret = (n: string) => (n === 'auth' && opts.shortTokenSecret ? 'too-short' : n === 'auth' ? secrets.usersAuth : n === 'file' ? secrets.usersFile : `pbUsers_${n}_secret`.padEnd(50, 'x'));
  const oauth2Secret = 'google-client-secret-from-pocketbase';
  const providers = [{ name: 'google', clientId: 'google-client-id', clientSecret: oauth2Secret, authURL: '', tokenURL: '', userInfoURL: '', displayName: '', pkce: null, extra: null }];

  // system collections (their definitions as PocketBase keeps them; Galley builds the internal four itself)
  addCollection({ id: PB_SUPERUSERS_ID, name: '_superusers', type: 'auth', system: true, fields: [...authFields(), ...AUTODATES], options: authOptions((n) => `pbSuper_${n}`.padEnd(50, 's'), null) });
  for (const [name, columns] of Object.entries(SYSTEM_TABLE_COLUMNS)) {
    db.exec(`CREATE TABLE "${name}" (id TEXT PRIMARY KEY NOT NULL, ${columns.map((c) => `"${c}" TEXT DEFAULT '' NOT NULL`).join(', ')}, created TEXT DEFAULT '' NOT NULL, updated TEXT DEFAULT '' NOT NULL)`);
    addCollection({ id: `pbc_sys${name}`, name, type: 'base', system: true, fields: [ID_FIELD, ...columns.map((c) => ({ id: `text_${c}`, name: c, type: 'text', system: true, hidden: false })), ...AUTODATES] });
  }
  const authTable = (name: string, extra: string) =>
    db.exec(`CREATE TABLE "${name}" (id TEXT PRIMARY KEY NOT NULL, password TEXT NOT NULL, tokenKey TEXT NOT NULL, email TEXT DEFAULT '' NOT NULL,
      emailVisibility BOOLEAN DEFAULT FALSE NOT NULL, verified BOOLEAN DEFAULT FALSE NOT NULL${extra}, created TEXT DEFAULT '' NOT NULL, updated TEXT DEFAULT '' NOT NULL)`);
  authTable('_superusers', '');

  // users: auth, one OAuth2 provider with a client secret
  authTable('users', `, name TEXT DEFAULT ''`);
  addCollection({
    id: PB_USERS_ID,
    name: 'users',
    type: 'auth',
    fields: [...authFields(), { autogeneratePattern: '', hidden: false, id: 'text1579384326', max: 255, min: 0, name: 'name', pattern: '', presentable: false, primaryKey: false, required: false, system: false, type: 'text' }, ...AUTODATES],
    indexes: ['CREATE UNIQUE INDEX `idx_tokenKey__pb_users_auth_` ON `users` (`tokenKey`)'],
    rules: ['id = @request.auth.id', 'id = @request.auth.id', '', 'id = @request.auth.id', 'id = @request.auth.id'],
    options: authOptions(userSecret, providers),
  });

  // posts: a relation to users and a file
  db.exec(`CREATE TABLE posts (id TEXT PRIMARY KEY NOT NULL, title TEXT DEFAULT '', author TEXT DEFAULT '', cover TEXT DEFAULT '', created TEXT DEFAULT '' NOT NULL, updated TEXT DEFAULT '' NOT NULL)`);
  addCollection({
    id: PB_POSTS_ID,
    name: 'posts',
    type: 'base',
    fields: [
      ID_FIELD,
      { autogeneratePattern: '', hidden: false, id: 'text724990059', max: 0, min: 0, name: 'title', pattern: '', presentable: true, primaryKey: false, required: true, system: false, type: 'text' },
      { cascadeDelete: false, collectionId: PB_USERS_ID, hidden: false, id: 'relation3182418120', maxSelect: 1, minSelect: 0, name: 'author', presentable: false, required: false, system: false, type: 'relation' },
      { hidden: false, id: 'file3834550803', maxSelect: 1, maxSize: 0, mimeTypes: null, name: 'cover', presentable: false, protected: false, required: false, system: false, thumbs: null, type: 'file' },
      ...AUTODATES,
    ],
    indexes: ['CREATE INDEX `idx_posts_title` ON `posts` (`title`)'],
    rules: [opts.brokenRule ? 'nosuchfield = 1' : '', '', '@request.auth.id != ""', 'author = @request.auth.id', null],
  });

  // a view collection (PocketBase keeps a SQL view of the same name)
  db.exec(`CREATE VIEW post_titles AS SELECT id, title FROM posts`);
  addCollection({
    id: PB_VIEW_ID,
    name: 'post_titles',
    type: 'view',
    fields: [{ ...ID_FIELD, autogeneratePattern: '', min: 0, max: 0 }, { autogeneratePattern: '', hidden: false, id: '_clone_title', max: 0, min: 0, name: 'title', pattern: '', presentable: true, primaryKey: false, required: true, system: false, type: 'text' }],
    rules: ['', '', null, null, null],
    options: { viewQuery: 'SELECT id, title FROM posts' },
  });

  // rows
  const password = 'pocketbase-pass-1';
  const user = { id: 'u1234567890abcd', email: 'ann@example.com', password, tokenKey: 'annTokenKey'.padEnd(50, 'k') };
  db.prepare(`INSERT INTO users (id, password, tokenKey, email, emailVisibility, verified, name, created, updated) VALUES (?,?,?,?,?,?,?,?,?)`).run([
    user.id, bcrypt.hashSync(password, 10), user.tokenKey, user.email, 1, 1, 'Ann', NOW, NOW,
  ]);
  if (opts.duplicateEmail) {
    db.prepare(`INSERT INTO users (id, password, tokenKey, email, emailVisibility, verified, name, created, updated) VALUES (?,?,?,?,?,?,?,?,?)`).run([
      'u2222222222abcd', bcrypt.hashSync('other-pass-22', 4), 'bobTokenKey'.padEnd(50, 'b'), user.email, 0, 0, 'Bob', NOW, NOW,
    ]);
  }
  const superuser = { email: 'root@example.com', password: 'root-pass-123' };
  db.prepare(`INSERT INTO _superusers (id, password, tokenKey, email, emailVisibility, verified, created, updated) VALUES (?,?,?,?,?,?,?,?)`).run([
    's1234567890abcd', bcrypt.hashSync(superuser.password, 4), 'rootTokenKey'.padEnd(50, 'r'), superuser.email, 0, opts.unverifiedSuperuser ? 0 : 1, NOW, NOW,
  ]);
  db.prepare(`INSERT INTO _externalAuths (id, collectionRef, recordRef, provider, providerId, created, updated) VALUES (?,?,?,?,?,?,?)`).run([
    'e1234567890abcd', PB_USERS_ID, user.id, 'google', 'google-uid-1', NOW, NOW,
  ]);
  const post = { id: 'p1234567890abcd', title: 'Hello from PocketBase', file: 'cover_ab12cd34ef.txt', fileBody: 'a file PocketBase stored' };
  db.prepare(`INSERT INTO posts (id, title, author, cover, created, updated) VALUES (?,?,?,?,?,?)`).run([post.id, post.title, user.id, post.file, NOW, NOW]);

  const encrypt = (json: string): string => {
    if (!opts.encryptionKey) return json;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(opts.encryptionKey, 'utf8'), nonce);
    return Buffer.concat([nonce, cipher.update(json, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  };
  db.prepare(`INSERT INTO _params (id, value, created, updated) VALUES (?,?,?,?)`).run([
    'settings',
    encrypt(JSON.stringify({
      meta: { appName: 'Imported App', appURL: 'https://app.example.com', senderName: 'Support', senderAddress: 'support@example.com', hideControls: false },
      smtp: { enabled: true, host: 'smtp.example.com', port: 587, username: 'mailer', password: 'smtp-secret', authMethod: 'PLAIN', tls: false, localName: '' },
      s3: { enabled: false, bucket: '', region: '', endpoint: '', accessKey: '', secret: '', forcePathStyle: false },
      backups: { cron: '0 3 * * *', cronMaxKeep: 5, s3: { enabled: false, bucket: '', region: '', endpoint: '', accessKey: '', secret: '', forcePathStyle: false } },
      batch: { enabled: true, maxRequests: 40, timeout: 3, maxBodySize: 0 },
      rateLimits: { enabled: true, excludedIPs: [], rules: [{ label: '*:auth', audience: '', duration: 3, maxRequests: 20 }] },
      trustedProxy: { headers: ['X-Forwarded-For'], useLeftmostIP: false },
      logs: { maxDays: 9, minLevel: 0, logIP: true, logAuthId: false },
      superuserIPs: [],
    })),
    NOW,
    NOW,
  ]);
  db.close();

  const aux = openSqliteHandle(join(dir, 'auxiliary.db'));
  aux.exec(`CREATE TABLE _logs (id TEXT PRIMARY KEY NOT NULL, level INTEGER DEFAULT 0 NOT NULL, message TEXT DEFAULT '' NOT NULL, data JSON DEFAULT '{}' NOT NULL, created TEXT DEFAULT '' NOT NULL)`);
  aux.prepare(`INSERT INTO _logs (id, level, message, data, created) VALUES (?,?,?,?,?)`).run(['l1234567890abcd', 0, 'GET /api/health', '{"status":200}', new Date().toISOString().replace('T', ' ')]); // recent: logs.maxDays prunes older ones
  aux.close();

  const fileDir = join(dir, 'storage', PB_POSTS_ID, post.id);
  mkdirSync(join(fileDir, `thumbs_${post.file}`), { recursive: true });
  writeFileSync(join(fileDir, post.file), post.fileBody);
  writeFileSync(join(fileDir, `thumbs_${post.file}`, `100x100_${post.file}`), 'thumb');

  if (opts.duplicateEmail) {
    // a file of the user that cannot be imported: it cannot be either
    mkdirSync(join(dir, 'storage', PB_USERS_ID, 'u2222222222abcd'), { recursive: true });
    writeFileSync(join(dir, 'storage', PB_USERS_ID, 'u2222222222abcd', 'note_x1y2z3.txt'), 'bob');
  }
  return {
    dir,
    user,
    superuser,
    post,
    secrets,
    oauth2Secret,
    mintUserToken: () =>
      new SignJWT({ id: user.id, type: 'auth', collectionId: PB_USERS_ID, refreshable: true })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
        .sign(new TextEncoder().encode(user.tokenKey + secrets.usersAuth)),
  };
}
