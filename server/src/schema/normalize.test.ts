import { describe, expect, it } from 'vitest';
import { crc32 } from '../lib/ids.ts';
import { loadSchema } from './load.ts';
import type { CollectionModel } from './model.ts';
import { SUPERUSERS_ID } from './system-collections.ts';

const names = (c: CollectionModel | undefined) => c?.fields.map((f) => f.name);
const field = (c: CollectionModel | undefined, name: string) => c?.fields.find((f) => f.name === name);

describe('hand-written collections', () => {
  const schema = loadSchema({
    collections: [
      { name: 'posts', fields: [{ name: 'title', type: 'text' }, { name: 'author', type: 'relation', collectionId: 'Members' }] },
      { name: 'members', type: 'auth', fields: [{ name: 'nick', type: 'text' }] },
      { name: 'events', fields: [{ name: 'created', type: 'date' }] },
    ],
  });
  const posts = schema.findCollection('posts');
  const members = schema.findCollection('members');

  it('derive ids the way PocketBase does', () => {
    expect(crc32('auth_superusers')).toBe(3142635823);
    expect(SUPERUSERS_ID).toBe('pbc_3142635823');
    expect(posts?.id).toBe(`pbc_${crc32('baseposts')}`);
    expect(field(posts, 'id')?.id).toBe('text3208210256');
    expect(field(posts, 'title')?.id).toBe(`text${crc32('title')}`);
  });

  it('get the id field with PocketBase options, and created/updated', () => {
    expect(names(posts)).toEqual(['id', 'title', 'author', 'created', 'updated']);
    expect(field(posts, 'id')).toEqual({
      id: 'text3208210256', name: 'id', type: 'text', system: true, hidden: false, presentable: false,
      required: true, help: '', min: 15, max: 15, pattern: '^[a-z0-9]+$', autogeneratePattern: '[a-z0-9]{15}', primaryKey: true,
    });
    expect(field(posts, 'created')).toMatchObject({ type: 'autodate', onCreate: true, onUpdate: false, system: false });
    expect(field(posts, 'updated')).toMatchObject({ type: 'autodate', onCreate: true, onUpdate: true });
  });

  it('keep a declared created field and add only what is missing', () => {
    expect(names(schema.findCollection('events'))).toEqual(['id', 'created', 'updated']);
    expect(field(schema.findCollection('events'), 'created')?.type).toBe('date');
  });

  it('fill option defaults and resolve relation targets given by name', () => {
    expect(field(posts, 'title')).toMatchObject({ min: 0, max: 0, pattern: '', required: false, help: '' });
    expect(field(posts, 'author')).toMatchObject({ collectionId: members?.id, maxSelect: 0, minSelect: 0, cascadeDelete: false });
  });

  it('give auth collections their system fields, indexes and options', () => {
    expect(names(members)).toEqual(['id', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified', 'nick', 'created', 'updated']);
    expect(field(members, 'password')).toMatchObject({ type: 'password', hidden: true, required: true, system: true, min: 8 });
    expect(field(members, 'tokenKey')).toMatchObject({ type: 'text', hidden: true, required: true, min: 30, max: 60, autogeneratePattern: '[a-zA-Z0-9]{50}' });
    expect(field(members, 'email')).toMatchObject({ type: 'email', required: true, system: true });
    expect(members?.indexes).toEqual([
      `CREATE UNIQUE INDEX \`idx_tokenKey_${members?.id}\` ON \`members\` (\`tokenKey\`)`,
      // emails are unique case-insensitively (Galley; PocketBase's default index compares exactly)
      `CREATE UNIQUE INDEX \`idx_email_${members?.id}\` ON \`members\` (\`email\` COLLATE NOCASE) WHERE \`email\` != ''`,
    ]);
    expect(members?.auth).toMatchObject({
      authRule: '', manageRule: null, passwordAuth: { enabled: true, identityFields: ['email'] },
      authToken: { duration: 432000 }, passwordResetToken: { duration: 1800 }, emailChangeToken: { duration: 1800 },
      verificationToken: { duration: 86400 }, fileToken: { duration: 180 },
      mfa: { enabled: false, duration: 600, rule: '' }, otp: { enabled: false, duration: 180, length: 8 },
      verificationTemplate: { subject: 'Verify your {APP_NAME} email' },
    });
    expect(members?.auth?.verificationTemplate.body).toContain('{APP_URL}/_/#/auth/confirm-verification/{TOKEN}');
  });

  it('default rules are null (superusers only)', () => {
    expect([posts?.listRule, posts?.viewRule, posts?.createRule, posts?.updateRule, posts?.deleteRule]).toEqual([null, null, null, null, null]);
  });

  it('always include _superusers', () => {
    const su = schema.findCollection('_superusers');
    expect(su).toMatchObject({ id: 'pbc_3142635823', type: 'auth', system: true, listRule: null, deleteRule: null });
    expect(su?.auth?.authToken.duration).toBe(86400);
    expect(names(su)).toEqual(['id', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified', 'created', 'updated']);
    expect(loadSchema([]).collections.map((c) => c.name)).toContain('_superusers');
    expect(schema.findCollection(SUPERUSERS_ID)?.name).toBe('_superusers');
  });
});

describe('collections with an id field (exports)', () => {
  it('are taken as they are, with defaults filled in', () => {
    const schema = loadSchema([
      {
        id: 'abc123', name: 'notes', type: 'base', system: false, listRule: '', viewRule: '', createRule: null, updateRule: null, deleteRule: null,
        fields: [
          { id: 'text3208210256', name: 'id', type: 'text', primaryKey: true, required: true, system: true, min: 15, max: 15, pattern: '^[a-z0-9]+$', autogeneratePattern: '[a-z0-9]{15}' },
          { id: 'myfield', name: 'body', type: 'text' },
        ],
        indexes: [],
      },
    ]);
    const notes = schema.findCollection('notes');
    expect(notes?.id).toBe('abc123');
    expect(names(notes)).toEqual(['id', 'body']);
    expect(field(notes, 'body')?.id).toBe('myfield');
    expect(field(notes, 'body')).toMatchObject({ hidden: false, presentable: false, max: 0 });
  });

  it('an exported _superusers is adopted, keeping extra fields', () => {
    const schema = loadSchema([
      { id: 'pbc_3142635823', name: '_superusers', type: 'auth', system: true, listRule: '', fields: [{ name: 'id', type: 'text' }, { name: 'nickname', type: 'text' }] },
    ]);
    const su = schema.findCollection('_superusers');
    expect(su?.listRule).toBeNull();
    expect(names(su)).toContain('nickname');
    expect(schema.collections.filter((c) => c.name === '_superusers')).toHaveLength(1);
  });

  it('view collections keep their query, get their fields from it and no implicit created/updated', () => {
    const schema = loadSchema([{ name: 'totals', type: 'view', listRule: '', viewQuery: 'SELECT id, 1 AS n FROM x', fields: [] }]);
    expect(schema.findCollection('totals')).toMatchObject({ type: 'view', viewQuery: 'SELECT id, 1 AS n FROM x', indexes: [] });
    expect(names(schema.findCollection('totals'))).toEqual(['id', 'n']);
  });

  it('derived ids avoid collisions', () => {
    const schema = loadSchema([
      { id: `pbc_${crc32('basea')}`, name: 'b', fields: [] },
      { name: 'a', fields: [] },
    ]);
    expect(schema.findCollection('a')?.id).toBe(`pbc_${crc32('basea')}2`);
  });
});
