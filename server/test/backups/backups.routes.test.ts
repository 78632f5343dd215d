// PocketBase's backup routes through the official SDK (pb.backups.*, unchanged) over a socket, and the route
// table for guests, users and superusers on the scenario runner: names, uploads checked like a restore,
// downloads with a superuser file token and ranges, restores in-process (and rolled back when the schema
// would lose data), one backup or restore at a time, canBackup in /api/health.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { extract } from 'tar';
import { connect } from 'node:net';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, upsertSuperuser, type Galley } from '../../src/index.ts';
import { acquireBusyMarker } from '../../src/backups/busy-marker.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { callGalley } from '../helpers/test-galley.ts';
import { runScenario, type Scenario } from '../helpers/scenario.ts';
import { selfServiceUsers } from '../helpers/users-collection.ts';
import { rejectionOf } from '../helpers/sdk-rejection.ts';
import { smtpSettings, startTestSmtp } from '../auth/smtp.ts';
import { BACKUP_SCHEMA, createDoc, makeTarGz, tempDir } from './fixtures.ts';

const ROOT = { email: 'root@example.com', password: 'rootpass123' };
const SCHEMA = [...BACKUP_SCHEMA, selfServiceUsers()];

let dir = '';
let galley: Galley;
let url = '';
let root: PocketBase;
const tokens: Record<string, string | null> = { guest: null };
const scratch: string[] = [];

function client(): PocketBase {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  return pb;
}

const call = (method: string, path: string, opts: { body?: unknown; auth?: string | null; headers?: Record<string, string>; ip?: string } = {}) => callGalley(galley, method, path, opts);

/** POST /api/backups/upload on a raw socket announcing `length` bytes; answers the status line. */
function sendRawUpload(length: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /api/backups/upload HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${tokens['root']}\r\n` +
          `Content-Type: multipart/form-data; boundary=b\r\nContent-Length: ${length}\r\n\r\n--b\r\n`,
      );
    });
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.split('\r\n')[0]!);
      }
    });
    socket.on('error', reject);
  });
}

/** Waits until a restore started through the API has finished (canBackup back to true and requests served). */
async function waitForRestore(): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const res = await call('GET', '/api/health', { auth: tokens['root'] });
    if (res.status === 200 && res.json.data.canBackup === true) return;
  }
  throw new Error('the restore did not finish');
}

beforeAll(async () => {
  dir = tempDir('backups-api');
  await upsertSuperuser({ dir }, ROOT.email, ROOT.password);
  galley = await createGalley({ dir, schema: SCHEMA, env: {}, logger: createTestLogger(), settings: { rateLimits: { enabled: false } } as never });
  url = (await galley.listen('127.0.0.1:0')).url;
  root = client();
  await root.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
  tokens['root'] = root.authStore.token;
  const user = client();
  await user.collection('users').create({ email: 'ann@example.com', password: 'password123', passwordConfirm: 'password123' });
  await user.collection('users').authWithPassword('ann@example.com', 'password123');
  tokens['user'] = user.authStore.token;
}, 30_000);

afterAll(async () => {
  await galley.close();
  rmSync(dir, { recursive: true, force: true });
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe('who may call the backup routes', () => {
  const table: Scenario[] = [
    { name: 'a guest cannot list backups', method: 'GET', path: '/api/backups', as: 'guest', status: 401 },
    { name: 'a user cannot list backups', method: 'GET', path: '/api/backups', as: 'user', status: 403 },
    { name: 'a superuser lists backups', method: 'GET', path: '/api/backups', as: 'root', status: 200, check: (json) => expect(Array.isArray(json)).toBe(true) },
    { name: 'a guest cannot create a backup', method: 'POST', path: '/api/backups', body: {}, as: 'guest', status: 401 },
    { name: 'a user cannot create a backup', method: 'POST', path: '/api/backups', body: {}, as: 'user', status: 403 },
    { name: 'a guest cannot upload a backup', method: 'POST', path: '/api/backups/upload', body: new FormData(), as: 'guest', status: 401 },
    { name: 'a user cannot upload a backup', method: 'POST', path: '/api/backups/upload', body: new FormData(), as: 'user', status: 403 },
    { name: 'a user cannot delete a backup', method: 'DELETE', path: '/api/backups/x.tar.gz', as: 'user', status: 403 },
    { name: 'a guest cannot restore a backup', method: 'POST', path: '/api/backups/x.tar.gz/restore', as: 'guest', status: 401 },
    { name: 'a user cannot restore a backup', method: 'POST', path: '/api/backups/x.tar.gz/restore', as: 'user', status: 403 },
    { name: 'a download without a token is refused', method: 'GET', path: '/api/backups/x.tar.gz', as: 'root', status: 403, contains: ['Insufficient permissions to access the resource.'] },
    { name: "health tells a guest nothing of backups", method: 'GET', path: '/api/health', as: 'guest', status: 200, notContains: ['canBackup'] },
    { name: 'health tells a superuser a backup may start', method: 'GET', path: '/api/health', as: 'root', status: 200, check: (json) => expect(json.data.canBackup).toBe(true) },
  ];
  it.each(table)('$name', (s) => runScenario({ galley, call }, s, tokens).then(() => undefined));

  it("a user's file token does not open a download", async () => {
    const res = await call('POST', '/api/files/token', { auth: tokens['user'] });
    const answer = await call('GET', `/api/backups/x.tar.gz?token=${res.json.token}`);
    expect(answer.status).toBe(403);
  });
});

describe('names', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['a name with a slash', 'a/b.tar.gz', /valid format/],
    ['a name with ..', '..x.tar.gz', /valid format/],
    ['a name going up', '../x.tar.gz', /valid format/],
    ['a .zip name', 'mine.zip', /\.tar\.gz archives/],
    ['capital letters', 'Mine.tar.gz', /valid format/],
    ['151 characters', `${'a'.repeat(144)}.tar.gz`, /between 1 and 150/],
  ];
  it.each(bad)('%s is a 400 on the name', async (_label, name, message) => {
    const err = await rejectionOf(root.backups.create(name as string));
    expect(err.status).toBe(400);
    expect(err.response.data.name.message).toMatch(message);
    expect((await root.backups.getFullList()).some((b) => b.key === name)).toBe(false);
  });
});

describe('pb.backups.*', () => {
  let first: { id: string; doc: string };
  let archiveBytes: Uint8Array<ArrayBuffer>;

  it('creates, lists (key, size, modified) and refuses the same name twice', async () => {
    first = await createDoc((m, p, o) => call(m, p, { ...o, auth: tokens['root'] }), 'before');
    expect(await root.backups.create('one.tar.gz')).toBe(true);
    const list = await root.backups.getFullList();
    const one = list.find((b) => b.key === 'one.tar.gz')!;
    expect(one.size).toBeGreaterThan(100);
    expect(one.modified).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    const again = await rejectionOf(root.backups.create('one.tar.gz'));
    expect(again.status).toBe(400);
    expect(again.response.data.name.code).toBe('validation_backup_name_exists');
  });

  it('a default name is galley_backup_<UTC time>.tar.gz', async () => {
    expect(await root.backups.create('')).toBe(true);
    const names = (await root.backups.getFullList()).map((b) => b.key);
    expect(names.some((n) => /^galley_backup_\d{14}\.tar\.gz$/.test(n))).toBe(true);
  });

  it('downloads with a superuser file token, whole and by range', async () => {
    const token = await root.files.getToken();
    const link = root.backups.getDownloadURL(token, 'one.tar.gz');
    const whole = await fetch(link);
    expect(whole.status).toBe(200);
    archiveBytes = new Uint8Array(await whole.arrayBuffer());
    expect([archiveBytes[0], archiveBytes[1]]).toEqual([0x1f, 0x8b]);
    expect(archiveBytes.length).toBe(readFileSync(join(dir, 'backups', 'one.tar.gz')).length);
    const part = await fetch(link, { headers: { Range: 'bytes=0-9' } });
    expect(part.status).toBe(206);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(archiveBytes.slice(0, 10));
    const missing = await fetch(root.backups.getDownloadURL(token, 'nothing.tar.gz'));
    expect(missing.status).toBe(404);
  });

  it('a download from an address outside superuserIPs is refused, token or not', async () => {
    const token = await root.files.getToken();
    const settings = galley.core.settings;
    const before = settings.current();
    await settings.save({ ...before, superuserIPs: ['10.9.9.9'] });
    try {
      const res = await call('GET', `/api/backups/one.tar.gz?token=${token}`, { ip: '127.0.0.1' });
      expect(res.status).toBe(403);
      expect(res.json.message).toBe('Insufficient permissions to access the resource.');
    } finally {
      await settings.save({ ...settings.current(), superuserIPs: [] });
    }
    expect((await fetch(root.backups.getDownloadURL(token, 'one.tar.gz'))).status).toBe(200);
  });

  it('uploads an archive under its file name, checked first', async () => {
    const form = new FormData();
    form.set('file', new File([archiveBytes], 'copy.tar.gz', { type: 'application/gzip' }));
    expect(await root.backups.upload(form)).toBe(true);
    expect((await root.backups.getFullList()).some((b) => b.key === 'copy.tar.gz')).toBe(true);
  });

  it('refuses a truncated upload, an upload named badly and one declaring more bytes than the disk has', async () => {
    const truncated = new FormData();
    truncated.set('file', new File([archiveBytes.slice(0, Math.floor(archiveBytes.length / 2))], 'half.tar.gz'));
    const err = await rejectionOf(root.backups.upload(truncated));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/cannot be restored/);
    const named = new FormData();
    named.set('file', new File([archiveBytes], 'x.zip'));
    expect((await rejectionOf(root.backups.upload(named))).response.data.file.message).toMatch(/\.tar\.gz/);
    // a body announced larger than the disk's free space (1 TiB): refused before it is read, nothing kept
    expect(await sendRawUpload(2 ** 40)).toMatch(/^HTTP\/1\.1 413 /);
    const names = (await root.backups.getFullList()).map((b) => b.key);
    expect(names).not.toContain('half.tar.gz');
    expect(names).not.toContain('x.zip');
  });

  it('deletes a backup; a second delete is a 400', async () => {
    expect(await root.backups.delete('copy.tar.gz')).toBe(true);
    expect((await rejectionOf(root.backups.delete('copy.tar.gz'))).status).toBe(400);
  });

  it('restores in-process: records made after the backup are gone, deleted ones are back with their files', async () => {
    const later = await createDoc((m, p, o) => call(m, p, { ...o, auth: tokens['root'] }), 'after');
    expect((await call('DELETE', `/api/collections/docs/records/${first.id}`)).status).toBe(204);
    expect(await root.backups.restore('one.tar.gz')).toBe(true);
    await waitForRestore();
    const back = await call('GET', `/api/collections/docs/records/${first.id}`);
    expect(back.status).toBe(200);
    expect((await call('GET', `/api/collections/docs/records/${later.id}`)).status).toBe(404);
    const file = await call('GET', `/api/files/docs/${first.id}/${back.json.doc}`);
    expect(file.status).toBe(200);
    expect(file.text).toBe('bytes of before');
    expect((await root.backups.getFullList()).some((b) => b.key.startsWith('@pre_restore_'))).toBe(true);
  }, 90_000);

  it('a restore while another backup or restore runs gets "try again later"; a missing backup is a 400', async () => {
    const marker = acquireBusyMarker(dir, 'backup');
    try {
      const err = await rejectionOf(root.backups.restore('one.tar.gz'));
      expect(err.status).toBe(400);
      expect(err.message).toMatch(/Try again later/);
      expect((await call('GET', '/api/health', { auth: tokens['root'] })).json.data.canBackup).toBe(false);
    } finally {
      marker.release();
    }
    expect((await rejectionOf(root.backups.restore('nothing.tar.gz'))).message).toMatch(/Missing or invalid backup file/);
  });
});

describe('unfit archives uploaded through the API are a 400 and change nothing', () => {
  const work = tempDir('bad-uploads');
  scratch.push(work);
  const makeBad: Array<[string, () => Promise<string>, RegExp]> = [
    [
      'a tampered checksum',
      async () => {
        const src = join(work, 'src');
        mkdirSync(src, { recursive: true });
        await extract({ file: join(dir, 'backups', 'one.tar.gz'), cwd: src });
        const manifest = JSON.parse(readFileSync(join(src, 'manifest.json'), 'utf8'));
        manifest.checksums['data.db'].sha256 = 'f'.repeat(64);
        writeFileSync(join(src, 'manifest.json'), JSON.stringify(manifest));
        const out = join(work, 'tampered.tar.gz');
        await makeTarGz(src, out, ['manifest.json', 'data.db', 'aux.db']);
        return out;
      },
      /checksum of data\.db/,
    ],
    [
      'a ../ entry',
      async () => {
        mkdirSync(join(work, 'up', 'in'), { recursive: true });
        writeFileSync(join(work, 'up', 'x.txt'), 'x');
        const out = join(work, 'dotdot.tar.gz');
        await makeTarGz(join(work, 'up', 'in'), out, ['../x.txt']);
        return out;
      },
      /leaves its folder/,
    ],
    [
      'a symlink entry',
      async () => {
        mkdirSync(join(work, 'ln'), { recursive: true });
        symlinkSync('/etc/hostname', join(work, 'ln', 'data.db'));
        const out = join(work, 'link.tar.gz');
        await makeTarGz(join(work, 'ln'), out, ['data.db']);
        return out;
      },
      /SymbolicLink entry/,
    ],
  ];
  it.each(makeBad)('%s', async (_label, make, message) => {
    const before = (await call('GET', '/api/collections/docs/records?perPage=1', {})).json.totalItems;
    const form = new FormData();
    form.set('file', new File([readFileSync(await make())], 'bad.tar.gz'));
    const err = await rejectionOf(root.backups.upload(form));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
    expect((await root.backups.getFullList()).map((b) => b.key)).not.toContain('bad.tar.gz');
    expect((await call('GET', '/api/collections/docs/records?perPage=1', {})).json.totalItems).toBe(before);
    expect(existsSync(join(dir, 'x.txt')) || existsSync(join(dir, 'backups', 'x.txt'))).toBe(false);
  });
});

describe('a restore whose data the schema would lose is rolled back', () => {
  it('keeps the live data and logs why', async () => {
    // an archive from a directory whose schema has a collection this server's schema does not
    const other = tempDir('other');
    scratch.push(other);
    const legacy = await createGalley({ dir: other, schema: [...SCHEMA, { name: 'legacy', type: 'base', fields: [{ name: 't', type: 'text' }] }], env: {}, logger: createTestLogger() });
    await legacy.close();
    const { createBackupArchive } = await import('../../src/backups/index.ts');
    await createBackupArchive({ dir: other, out: join(dir, 'backups', 'legacy.tar.gz') });
    const marker = await createDoc((m, p, o) => call(m, p, { ...o, auth: tokens['root'] }), 'live');
    expect(await root.backups.restore('legacy.tar.gz')).toBe(true);
    await waitForRestore();
    expect((await call('GET', `/api/collections/docs/records/${marker.id}`)).status).toBe(200);
    // the log writer stores entries in batches: wait for the entry
    let found = 0;
    for (let i = 0; i < 100 && found === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const logs = await call('GET', `/api/logs?filter=${encodeURIComponent("message~'Failed to restore backup'")}`, { auth: tokens['root'] });
      found = logs.json.items.length;
    }
    expect(found).toBeGreaterThan(0);
  }, 90_000);
});

describe('auto-backup', () => {
  it('backups.cron schedules the job; an empty cron removes it', async () => {
    await root.settings.update({ backups: { cron: '0 3 * * *', cronMaxKeep: 2 } });
    expect(await root.crons.getFullList()).toEqual(expect.arrayContaining([expect.objectContaining({ id: '__pbAutoBackup__', expression: '0 3 * * *' })]));
    await root.settings.update({ backups: { cron: '', cronMaxKeep: 2 } });
    expect((await root.crons.getFullList()).map((j) => j.id)).not.toContain('__pbAutoBackup__');
  });

  it("a backups.cron that does not parse is PocketBase's 400 validation_invalid_cron, and nothing is scheduled", async () => {
    const err = await rejectionOf(root.settings.update({ backups: { cron: '61 * * * *', cronMaxKeep: 2 } }));
    expect(err.status).toBe(400);
    expect(err.response.data.backups.cron).toMatchObject({ code: 'validation_invalid_cron', message: expect.stringContaining('61') });
    expect((await root.settings.getAll()).backups.cron).toBe('');
    expect((await root.crons.getFullList()).map((j) => j.id)).not.toContain('__pbAutoBackup__');
  });

  it('a run makes @auto_galley_backup_<time>.tar.gz and deletes the oldest beyond cronMaxKeep', async () => {
    await root.settings.update({ backups: { cron: '0 3 * * *', cronMaxKeep: 2 } });
    const folder = join(dir, 'backups');
    for (const [day, at] of [['20200101000000', 1_577_836_800], ['20200102000000', 1_577_923_200]] as const) {
      const file = join(folder, `@auto_galley_backup_${day}.tar.gz`);
      copyFileSync(join(folder, 'one.tar.gz'), file);
      utimesSync(file, at, at);
    }
    await galley.core.backups.runAutoBackup();
    const autos = (await root.backups.getFullList()).map((b) => b.key).filter((k) => k.startsWith('@auto_galley_backup_'));
    expect(autos).toHaveLength(2);
    expect(autos).toContain('@auto_galley_backup_20200102000000.tar.gz');
    expect(autos.some((k) => /^@auto_galley_backup_\d{14}\.tar\.gz$/.test(k) && !k.includes('2020010'))).toBe(true);
  });

  it('a failed run is logged and mailed to the superusers', async () => {
    // the previous test's run may have been in this same second: its name would be taken, a different failure
    const folder = join(dir, 'backups');
    for (const f of readdirSync(folder).filter((n) => n.startsWith('@auto_galley_backup_'))) rmSync(join(folder, f));
    const smtp = await startTestSmtp();
    const marker = acquireBusyMarker(dir, 'backup');
    try {
      await root.settings.update(smtpSettings(smtp));
      await galley.core.backups.runAutoBackup();
      const mail = await smtp.waitFor((m) => m.to.includes(ROOT.email));
      expect(mail.subject).toBe('Autobackup failure');
      expect(mail.text).toMatch(/Try again later/);
      let found = 0;
      for (let i = 0; i < 100 && found === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const logs = await call('GET', `/api/logs?filter=${encodeURIComponent("message~'[Backup cron] Failed to create backup'")}`, { auth: tokens['root'] });
        found = logs.json.items.length;
      }
      expect(found).toBeGreaterThan(0);
    } finally {
      marker.release();
      await root.settings.update({ smtp: { enabled: false } });
      await smtp.close();
    }
  });
});
