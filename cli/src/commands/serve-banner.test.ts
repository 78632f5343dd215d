import { describe, expect, it } from 'vitest';
import { describeCollections, describeOwnCommand, formatServeBanner, type BannerInfo } from './serve-banner.ts';

const base: BannerInfo = {
  url: 'http://127.0.0.1:8090',
  dir: '/srv/galley_data',
  dirArg: './galley_data',
  schemaFile: '/srv/schema.json',
  schemaSource: 'file',
  collections: [{ name: 'posts', type: 'base' }, { name: 'users', type: 'auth' }],
  appliedOnStart: [],
  dev: false,
  superusers: 0,
  command: 'galley',
};

describe('the command the banner suggests', () => {
  it('is the name when PATH finds the binary, else a path from the current directory (npm start: dist/galley)', () => {
    expect(describeOwnCommand('/usr/local/bin/galley', '/home/me', '/usr/bin:/usr/local/bin')).toBe('galley');
    expect(describeOwnCommand('/repo/dist/galley', '/repo', '/usr/bin')).toBe('dist/galley');
    expect(describeOwnCommand('/repo/galley', '/repo', '/usr/bin')).toBe('./galley');
    expect(describeOwnCommand('/opt/galley', '/home/me', '/usr/bin')).toBe('/opt/galley');
    expect(describeOwnCommand('/usr/bin/bun', '/repo', '/usr/bin')).toBe('galley');
  });
});

describe('the serve banner', () => {
  it('names the schema and its collections, dev mode, and the exact command for a first superuser', () => {
    expect(formatServeBanner(base)).toEqual([
      'Server started at http://127.0.0.1:8090',
      '├─ REST API: http://127.0.0.1:8090/api/',
      '├─ Schema: /srv/schema.json, 2 collections (1 base, 1 auth): posts, users',
      '├─ Migrations on start: none (the database already matched)',
      '├─ Dev mode: off (schema changes: edit the file, run galley migrate apply; this server follows)',
      '├─ Data dir: /srv/galley_data',
      '└─ Superusers: none yet; create one: galley superuser upsert EMAIL PASSWORD --dir ./galley_data',
    ]);
  });

  it('on PostgreSQL: the database with its password masked and the pool, a first superuser made with --database', () => {
    const lines = formatServeBanner({ ...base, database: { masked: 'postgres://app:***@db:5432/galley', poolSize: 10 } });
    expect(lines).toContain('├─ Database: PostgreSQL postgres://app:***@db:5432/galley (pool of 10)');
    expect(lines.at(-1)).toBe('└─ Superusers: none yet; create one: galley superuser upsert EMAIL PASSWORD --database URL');
  });

  it('a long first migration shows its first steps and points at the history; an odd --dir is quoted', () => {
    const steps = Array.from({ length: 22 }, (_, i) => `step ${i + 1}`);
    const lines = formatServeBanner({ ...base, appliedOnStart: steps, dirArg: "my data's dir", superusers: 2, command: 'dist/galley' });
    expect(lines).toContain('├─ Migrations on start: 22 steps applied');
    expect(lines).toContain('│    8. step 8');
    expect(lines).not.toContain('│    9. step 9');
    expect(lines).toContain(`│    … and 14 more (dist/galley migrate history --dir 'my data'\\''s dir' lists them)`);
    expect(lines.at(-1)).toBe('└─ Superusers: 2');
  });

  it('with the dashboard embedded: its URL beside the API, and the one-time installer link while no superuser exists', () => {
    const lines = formatServeBanner({ ...base, dashboard: true, installerToken: 'tok-123' });
    expect(lines.slice(0, 3)).toEqual(['Server started at http://127.0.0.1:8090', '├─ REST API: http://127.0.0.1:8090/api/', '├─ Dashboard: http://127.0.0.1:8090/_/']);
    expect(lines.slice(-3)).toEqual([
      '└─ Superusers: none yet; create the first one in the browser (this link works once, for 30 minutes):',
      '     http://127.0.0.1:8090/_/#/install?token=tok-123',
      '     or: galley superuser upsert EMAIL PASSWORD --dir ./galley_data',
    ]);
    expect(formatServeBanner({ ...base, dashboard: true, superusers: 1 }).at(-1)).toBe('└─ Superusers: 1');
  });

  it('says what is served without a schema file', () => {
    expect(formatServeBanner({ ...base, schemaFile: undefined, schemaSource: 'database' })[2]).toBe(
      '├─ Schema: no schema file: serving the schema applied to data.db, 2 collections (1 base, 1 auth): posts, users',
    );
    expect(describeCollections(Array.from({ length: 14 }, (_, i) => ({ name: `c${i}`, type: 'base' })))).toMatch(/^14 collections \(14 base\): c0, .*, c11, …$/);
  });
});
