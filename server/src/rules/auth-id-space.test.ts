// `@request.auth.id` names a record of the caller's own collection only: a rule comparing it with a relation to
// another auth collection, or with another auth collection's id, never holds, even when the two ids are equal
// text (data from before ids were checked across auth collections). Run on real SQLite.
import { describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../db/open.ts';
import { useSeededDatabase } from '../db/testing.ts';
import { compileFilterWhere } from '../records/resolver.ts';
import { buildSchema, type CollectionModel, type FieldModel } from '../schema/model.ts';
import { findPathIdSpace } from './auth-id-space.ts';
import { guestRequest, type RequestInfo } from './request-info.ts';

const field = (name: string, type: string, opts: Record<string, unknown> = {}): FieldModel => ({
  id: `${type}_${name}`, name, type, system: false, hidden: false, presentable: false, ...opts,
});
const rel = (name: string, collectionId: string, maxSelect = 1) => field(name, 'relation', { collectionId, maxSelect, minSelect: 0, cascadeDelete: false });
const collection = (name: string, type: 'base' | 'auth', fields: FieldModel[]): CollectionModel => ({
  id: `c_${name}`, name, type, system: false, listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
  fields: [field('id', 'text', { primaryKey: true }), ...fields], indexes: [],
});

const users = collection('users', 'auth', [field('email', 'email')]);
const staff = collection('staff', 'auth', [field('email', 'email')]);
const profiles = collection('profiles', 'base', [rel('user', 'c_users')]);
const notes = collection('notes', 'base', [rel('owner', 'c_users'), rel('readers', 'c_users', 5), rel('profile', 'c_profiles'), field('author', 'text')]);
const schema = buildSchema([users, staff, profiles, notes]);

// "shared" is both a users id and a staff id; profile "shared" is keyed by its user's id on purpose
let db: OpenedDatabase;
useSeededDatabase(
  { users: 'id TEXT PRIMARY KEY, email TEXT', staff: 'id TEXT PRIMARY KEY, email TEXT', profiles: 'id TEXT PRIMARY KEY, user TEXT', notes: 'id TEXT PRIMARY KEY, owner TEXT, readers TEXT, profile TEXT, author TEXT' },
  {
    users: [{ id: 'shared', email: 'bob@x.io' }],
    staff: [{ id: 'shared', email: 'eve@x.io' }],
    profiles: [{ id: 'shared', user: 'shared' }],
    notes: [{ id: 'n1', owner: 'shared', readers: '["shared"]', profile: 'shared', author: 'shared' }],
  },
  (opened) => (db = opened),
);

const as = (c: CollectionModel): RequestInfo => ({ ...guestRequest(), auth: { collection: c, record: { id: 'shared' } } });

async function passes(on: CollectionModel, info: RequestInfo, rule: string): Promise<boolean> {
  const where = compileFilterWhere({ schema, collection: on, info, alias: on.name }, rule, 'rule');
  return (await db.read.selectFrom(on.name).select('id').where(where).execute()).length > 0;
}

describe('auth id spaces', () => {
  it('name the auth collection a path holds ids of, and nothing else', () => {
    expect(findPathIdSpace(schema, notes, ['owner'])).toBe('c_users');
    expect(findPathIdSpace(schema, notes, ['owner', 'id'])).toBe('c_users');
    expect(findPathIdSpace(schema, notes, ['readers'])).toBe('c_users');
    expect(findPathIdSpace(schema, notes, ['readers:each'])).toBe('c_users');
    expect(findPathIdSpace(schema, notes, ['profile', 'user'])).toBe('c_users');
    expect(findPathIdSpace(schema, users, ['id'])).toBe('c_users');
    expect(findPathIdSpace(schema, users, ['notes_via_owner', 'owner'])).toBe('c_users');
    for (const path of [['profile'], ['id'], ['author'], ['owner', 'email'], ['readers:length'], ['owner:lower'], ['notes_via_owner']]) {
      expect(findPathIdSpace(schema, path[0] === 'notes_via_owner' ? users : notes, path), path.join('.')).toBeUndefined();
    }
  });

  it.each([
    ['owner = @request.auth.id', true, false],
    ['owner.id = @request.auth.id', true, false],
    ['@request.auth.id = owner', true, false],
    ['readers ~ @request.auth.id', true, false],
    ['readers:each ?= @request.auth.id', true, false],
    ['readers.id ?= @request.auth.id', true, false],
    ['profile.user = @request.auth.id', true, false],
    ['owner != @request.auth.id', false, true],
    ['@collection.users.id ?= @request.auth.id', true, false],
    // not ids of an auth collection: plain text and a base collection's ids compare as before
    ['author = @request.auth.id', true, true],
    ['profile = @request.auth.id', true, true],
  ])('notes: %s → users caller %s, staff caller %s', async (rule, asUser, asStaff) => {
    expect(await passes(notes, as(users), rule)).toBe(asUser);
    expect(await passes(notes, as(staff), rule)).toBe(asStaff);
  });

  it('id = @request.auth.id on an auth collection holds for its own callers only', async () => {
    expect(await passes(users, as(users), 'id = @request.auth.id')).toBe(true);
    expect(await passes(users, as(staff), 'id = @request.auth.id')).toBe(false);
    expect(await passes(staff, as(staff), 'id = @request.auth.id')).toBe(true);
    expect(await passes(staff, as(users), 'id = @request.auth.id')).toBe(false);
    expect(await passes(profiles, as(staff), 'id = @request.auth.id')).toBe(true);
  });

  it('@request.body.<relation to an auth collection> compared with @request.auth.id', async () => {
    const body = (c: CollectionModel): RequestInfo => ({ ...as(c), body: { owner: 'shared' } });
    expect(await passes(notes, body(users), '@request.body.owner = @request.auth.id')).toBe(true);
    expect(await passes(notes, body(staff), '@request.body.owner = @request.auth.id')).toBe(false);
  });
});
