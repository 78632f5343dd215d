// The log writer on a real aux.db: batches, settings (maxDays, minLevel), trim, a broken aux.db never throws.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDefaultSettings, type Settings } from '../../src/admin/settings-model.ts';
import { CompiledQuery, sql } from 'kysely';
import { DELETE_OLD_LOGS_SQL } from '../../src/logs/log-entry.ts';
import { createLogService, type SqliteLogService as LogService } from '../../src/logs/log-service.ts';
import { teeLogger } from '../../src/logs/tee-logger.ts';
import { createLogger } from '../../src/lib/log.ts';

let dir = '';
let logsSettings: Settings['logs'];
let services: LogService[] = [];
let reports: string[] = [];

let inline = false;

function open(file = join(dir, 'aux.db'), extra: Partial<Parameters<typeof createLogService>[0]> = {}): LogService {
  const s = createLogService({ file, busyTimeoutMs: 100, settings: () => logsSettings, report: (l) => reports.push(l), flushMs: 60_000, inline, ...extra });
  services.push(s);
  return s;
}

async function rows(s: LogService): Promise<Array<Record<string, unknown>>> {
  return s.auxDb.db.selectFrom('_logs').selectAll().orderBy('created').execute();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'galley-logs-'));
  logsSettings = { ...createDefaultSettings().logs };
  services = [];
  reports = [];
});
afterEach(async () => {
  for (const s of services) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['on its writer thread (inline where the runtime cannot load it)', false],
  ['inline', true],
])('log service, writing %s', (_name, writeInline) => {
  beforeEach(() => {
    inline = writeInline;
  });

  it('creates PocketBase\'s _logs table and indexes in aux.db', async () => {
    const s = open();
    const indexes = await s.auxDb.db.selectFrom('sqlite_master').select(['name', 'sql']).where('type', '=', 'index').where('tbl_name', '=', '_logs').execute();
    expect(indexes.map((i) => i.name).sort()).toEqual(['idx_logs_created_hour', 'idx_logs_level', 'sqlite_autoindex__logs_1']);
  });

  it('keeps entries in memory until flush, then writes them in one batch with wire fields', async () => {
    const s = open();
    s.write({ level: 0, message: 'GET /a', data: { type: 'request', status: 200 } });
    s.write({ level: 8, message: 'boom', data: { type: 'app', error: new Error('disk on fire'), n: 10n } });
    expect(await rows(s)).toEqual([]);
    await s.flush();
    const stored = await rows(s);
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ level: 0, message: 'GET /a', data: '{"type":"request","status":200}' });
    expect(JSON.parse(String(stored[1]!['data']))).toEqual({ type: 'app', error: 'disk on fire', n: '10' });
    expect(String(stored[0]!['id'])).toMatch(/^[a-z0-9]{15}$/);
    // time-ordered ids: later rows sort after earlier ones
    expect(String(stored[1]!['id']) > String(stored[0]!['id'])).toBe(true);
    expect(String(stored[0]!['created'])).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('a request whose facts a byte record cannot hold (a NUL) is logged all the same, in order with the plain ones around it', async () => {
    const s = open();
    const request = (path: string) => new Request(`http://h:1${path}`, { headers: { 'user-agent': 'ua é' } });
    s.writeRequest(request('/a'), 200, 1, '1.2.3.4', '1.2.3.4');
    s.writeRequest(request('/b'), 404, 2, 'x\0y', '\x01');
    s.writeRequest(request('/c'), 200, 3, '1.2.3.4', '1.2.3.4');
    await s.flush();
    const stored = await s.auxDb.db.selectFrom('_logs').selectAll().orderBy('id').execute();
    expect(stored.map((r) => r['message'])).toEqual(['GET /a', 'GET /b', 'GET /c']);
    expect(JSON.parse(String(stored[1]!['data']))).toMatchObject({ status: 404, userAgent: 'ua é', userIP: 'x\0y', remoteIP: '\x01' });
    expect(JSON.parse(String(stored[2]!['data']))).toMatchObject({ status: 200, userAgent: 'ua é', userIP: '1.2.3.4' });
  });

  it('flushes by itself once the batch reaches its size, and on close', async () => {
    const s = open(undefined, { batchSize: 3 });
    for (let i = 0; i < 3; i++) s.write({ level: 0, message: `m${i}`, data: {} });
    for (let waited = 0; waited < 5000 && (await rows(s)).length < 3; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(await rows(s)).toHaveLength(3);
    s.write({ level: 0, message: 'last', data: {} });
    await s.close();
    const again = open();
    expect((await rows(again)).map((r) => r['message'])).toEqual(['m0', 'm1', 'm2', 'last']);
  });

  it('maxDays=0 keeps nothing; minLevel drops lower levels', async () => {
    const s = open();
    logsSettings.maxDays = 0;
    s.write({ level: 8, message: 'dropped', data: {} });
    expect(s.isEnabled()).toBe(false);
    logsSettings = { ...logsSettings, maxDays: 5, minLevel: 4 };
    s.write({ level: 0, message: 'info', data: {} });
    s.write({ level: 4, message: 'warn', data: {} });
    await s.flush();
    expect((await rows(s)).map((r) => r['message'])).toEqual(['warn']);
  });

  it('trim deletes what maxDays and minLevel no longer allow (PocketBase\'s cleanup)', async () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    const s = open(undefined, { clock: () => new Date(now) });
    s.write({ level: 0, message: 'old info', data: {}, created: Date.parse('2026-01-01T00:00:00Z') });
    s.write({ level: 8, message: 'old error', data: {}, created: Date.parse('2026-01-04T00:00:00Z') });
    s.write({ level: 0, message: 'new info', data: {}, created: Date.parse('2026-01-10T11:00:00Z') });
    s.write({ level: 8, message: 'new error', data: {}, created: Date.parse('2026-01-10T11:30:00Z') });
    await s.flush();
    s.trim(); // maxDays 5: before 2026-01-05 12:00 goes
    expect((await rows(s)).map((r) => r['message'])).toEqual(['new info', 'new error']);
    logsSettings = { ...logsSettings, minLevel: 4 };
    s.trim();
    expect((await rows(s)).map((r) => r['message'])).toEqual(['new error']);
    logsSettings = { ...logsSettings, maxDays: 0 };
    s.trim();
    expect(await rows(s)).toEqual([]);
  });

  it('trim reads through the indexes, not a scan of every entry (it runs on every start), and keeps the same rows', async () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    const s = open(undefined, { clock: () => new Date(now) });
    const before = '2026-01-05 12:00:00.000Z';
    const plan = await s.auxDb.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${DELETE_OLD_LOGS_SQL}`, [before, before, 0]));
    const details = plan.rows.map((r) => r.detail).join(' | ');
    expect(details).not.toMatch(/SCAN _logs/);
    expect(details).toContain('idx_logs_created_hour');
    expect(details).toContain('idx_logs_level');
    // maxDays 5: before is 2026-01-05 12:00:00.000Z; the same hour on both sides of it, and unparsable times
    const put = (id: string, message: string, created: string) =>
      sql`INSERT INTO "_logs" ("id", "level", "message", "data", "created") VALUES (${id}, 0, ${message}, '{}', ${created})`.execute(s.auxDb.db);
    await put('rtrimrow000001', 'at 11:59, same hour', '2026-01-05 11:59:59.000Z');
    await put('rtrimrow000002', 'exactly at before', '2026-01-05 12:00:00.000Z');
    await put('rtrimrow000003', 'at 12:30, same hour, after', '2026-01-05 12:30:00.000Z');
    await put('rtrimrow000004', 'unparsable early', '2000-1-1');
    await put('rtrimrow000005', 'unparsable late', 'zzz');
    s.trim();
    expect((await rows(s)).map((r) => r['message']).sort()).toEqual(['at 12:30, same hour, after', 'unparsable late']);
  });

  it('deletes old entries only when trim is called (the __pbLogsCleanup__ cron job, start, a settings save), not on a timer of its own', async () => {
    const day = 86_400_000;
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
    try {
      const s = open(undefined, { clock: () => new Date() });
      s.write({ level: 0, message: 'six days old', data: {}, created: Date.now() - 6 * day });
      s.write({ level: 0, message: 'fresh', data: {}, created: Date.now() });
      const written = s.flush();
      await vi.advanceTimersByTimeAsync(0);
      await written;
      // a day of the service's timers (flush ticks): nothing is deleted by them
      await vi.advanceTimersByTimeAsync(day);
      expect((await rows(s)).map((r) => r['message'])).toEqual(['six days old', 'fresh']);
      s.trim();
      expect((await rows(s)).map((r) => r['message'])).toEqual(['fresh']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('trim also drops the queued entries the new settings no longer allow', async () => {
    const s = open();
    s.write({ level: 0, message: 'info 1', data: {} });
    s.write({ level: 8, message: 'error', data: {} });
    s.write({ level: 0, message: 'info 2', data: {} });
    logsSettings = { ...logsSettings, minLevel: 4 };
    s.trim();
    s.write({ level: 4, message: 'warn', data: {} });
    await s.flush();
    expect((await rows(s)).map((r) => r['message'])).toEqual(['error', 'warn']);
  });

  it('entries larger than a batch\'s room are all written: a full batch leaves early, one larger than a whole batch on its own', async () => {
    const s = open();
    const big = 'é'.repeat(12_000); // ~24 KB of UTF-8 each: two fill a batch's room (64 KiB)
    for (let i = 0; i < 5; i++) s.write({ level: 0, message: `big ${i}`, data: { big } });
    s.write({ level: 0, message: 'x'.repeat(300_000), data: {} });
    s.write({ level: 0, message: 'after', data: {} });
    await s.flush();
    const stored = await rows(s);
    expect(stored.map((r) => String(r['message']).slice(0, 5))).toEqual(expect.arrayContaining(['big 0', 'big 1', 'big 2', 'big 3', 'big 4', 'xxxxx', 'after']));
    expect(stored).toHaveLength(7);
    expect(JSON.parse(String(stored.find((r) => r['message'] === 'big 4')!['data']))).toEqual({ big });
  });

  it('a broken aux.db drops the batch, reports once and never throws', async () => {
    // every batch straight into _logs (none staged: a staged batch is kept, not dropped, test below)
    const s = open(undefined, { idleMs: 0 });
    s.write({ level: 0, message: 'a', data: {} });
    await s.auxDb.db.schema.dropTable('_logs').execute(); // every insert now fails
    await expect(s.flush()).resolves.toBeUndefined();
    s.write({ level: 0, message: 'b', data: {} });
    await expect(s.flush()).resolves.toBeUndefined();
    expect(s.dropped()).toBe(2);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/1 log entries dropped: aux\.db could not be written/);
  });

  it('holds at most maxPending entries while they cannot be written', () => {
    const s = open(undefined, { maxPending: 5 });
    for (let i = 0; i < 8; i++) s.write({ level: 0, message: String(i), data: {} });
    expect(s.dropped()).toBe(3);
  });

  it('refuses to start on a file that is not a database (the caller reports it)', () => {
    const file = join(dir, 'not-a-db');
    writeFileSync(file, 'x'.repeat(4096));
    expect(() => open(file)).toThrow();
  });

  it('the teed logger writes warn/error with type "app" and leaves debug/info on stderr', async () => {
    const s = open();
    const lines: string[] = [];
    const log = teeLogger(createLogger('debug', (l) => lines.push(l)), s);
    log.debug('d');
    log.info('i');
    log.warn('mail failed', { to: 'x@example.com', type: 'smtp' });
    log.error('unclassified', { error: 'boom' });
    await s.flush();
    const stored = await rows(s);
    expect(stored.map((r) => [r['level'], r['message'], JSON.parse(String(r['data']))])).toEqual([
      [4, 'mail failed', { type: 'app', to: 'x@example.com' }],
      [8, 'unclassified', { type: 'app', error: 'boom' }],
    ]);
    expect(lines).toHaveLength(4);
  });
});

/** `count` request entries (status 200, or 404 for every third: level 8) as the bytes of one batch, as the request thread writes them. */
async function requestBatchBytes(count: number, created: number): Promise<Buffer> {
  const { writeRequestRecord } = await import('../../src/logs/log-rows.ts');
  const buf = Buffer.alloc(64 * 1024);
  let at = 0;
  for (let i = 0; i < count; i++) {
    at = writeRequestRecord(buf, at, created, i % 3 === 2 ? 404 : 200, 0.5, 'GET', `http://h:1/api/staged/${i}`, 'ua', undefined, undefined, undefined, undefined, undefined, undefined);
  }
  return buf.subarray(0, at);
}

const stagedCount = (s: LogService): number => Number(s.auxDb.select('SELECT count(*) AS n FROM "_logs_staged"')[0]?.['n']);

describe.each([
  ['on its writer thread (inline where the runtime cannot load it)', false],
  ['inline', true],
])('staged batches, writing %s', (_name, writeInline) => {
  it('batches staged when the last run stopped are moved into _logs on the next start, below minLevel left out', async () => {
    await open().close(); // aux.db with its tables
    const { openAuxDatabase } = await import('../../src/db/open-aux.ts');
    const file = openAuxDatabase({ file: join(dir, 'aux.db'), busyTimeoutMs: 100 });
    const created = Math.floor(Date.now() / 1000) * 1000 - 2000;
    file.execute('INSERT INTO "_logs_staged" ("batch") VALUES (?), (?)', [await requestBatchBytes(3, created), await requestBatchBytes(3, created + 1000)]);
    await file.close();
    logsSettings.minLevel = 8; // raised since they were written: the 200s are not kept
    const s = open(undefined, { inline: writeInline });
    await s.flush();
    const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ');
    expect((await rows(s)).map((r) => [r['message'], r['level'], r['created']])).toEqual([
      ['GET /api/staged/2', 8, at(created)],
      ['GET /api/staged/2', 8, at(created + 1000)],
    ]);
    expect(stagedCount(s)).toBe(0);
  });
});

// Node runs the sources without the writer thread (inline, never staged): these are the thread's
describe.skipIf(!process.versions.bun)('staged batches on the writer thread', () => {
  beforeEach(() => {
    inline = false;
  });
  const waitFor = async (what: () => boolean): Promise<void> => {
    for (let i = 0; i < 500 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(what()).toBe(true);
  };

  it('a batch that comes soon after another is staged, not yet in _logs, and moved once the writer is idle or asked (flush)', async () => {
    // batches of one entry, each handed over as it comes; moved when asked only (idle for a minute)
    const s = open(undefined, { batchSize: 1, idleMs: 60_000 });
    s.write({ level: 0, message: 'first', data: {} });
    await s.flush(); // the first batch of a quiet writer goes straight in
    for (let i = 0; i < 3; i++) {
      s.write({ level: 0, message: `soon ${i}`, data: { i } });
      await waitFor(() => stagedCount(s) === i + 1);
    }
    expect((await rows(s)).map((r) => r['message'])).toEqual(['first']);
    await s.flush();
    expect((await rows(s)).map((r) => r['message'])).toEqual(['first', 'soon 0', 'soon 1', 'soon 2']);
    expect(stagedCount(s)).toBe(0);
    // idle: moved without being asked
    const idle = open(join(dir, 'idle.db'), { batchSize: 1, idleMs: 50 });
    idle.write({ level: 0, message: 'a', data: {} });
    idle.write({ level: 0, message: 'b', data: {} });
    await waitFor(() => Number(idle.auxDb.select('SELECT count(*) AS n FROM "_logs"')[0]?.['n']) === 2);
    expect(stagedCount(idle)).toBe(0);
  });

  it('no secret rests in a staged batch: queries of URLs and referers are redacted before it is kept', async () => {
    const s = open(undefined, { batchSize: 1, idleMs: 60_000 });
    s.write({ level: 0, message: 'first', data: {} });
    await s.flush();
    s.writeRequest(new Request('http://h:1/api/files/c/r/a.png?token=sekrit-1&thumb=1x1', { headers: { referer: 'http://ref/?code=sekrit-2' } }), 200, 1);
    await waitFor(() => stagedCount(s) === 1);
    const staged = Buffer.from(s.auxDb.select('SELECT "batch" FROM "_logs_staged"')[0]!['batch'] as Uint8Array).toString('utf8');
    expect(staged).not.toContain('sekrit');
    expect(staged).toContain('token=[redacted]&thumb=1x1');
    await s.flush();
    const [, entry] = await rows(s);
    expect(entry!['message']).toBe('GET /api/files/c/r/a.png?token=[redacted]&thumb=1x1');
    expect(JSON.parse(String(entry!['data']))).toMatchObject({ referer: 'http://ref/?code=[redacted]', status: 200 });
  });

  it('more than maxStagedBytes staged are moved however busy the writer is', async () => {
    const s = open(undefined, { batchSize: 1, idleMs: 60_000, maxStagedBytes: 1 });
    s.write({ level: 0, message: 'first', data: {} });
    await s.flush();
    for (let i = 0; i < 3; i++) {
      s.write({ level: 0, message: `busy ${i}`, data: {} });
      await new Promise((r) => setTimeout(r, 5));
    }
    // each staged batch is over the bound by itself: moved at once, busy or not
    await waitFor(() => Number(s.auxDb.select('SELECT count(*) AS n FROM "_logs"')[0]?.['n']) === 4);
    expect(stagedCount(s)).toBe(0);
  });

  it('staged batches that cannot be moved (_logs gone) stay staged, are reported once, and later batches do not pile up', async () => {
    const s = open(undefined, { batchSize: 1, idleMs: 60_000 });
    s.write({ level: 0, message: 'first', data: {} });
    await s.flush();
    s.write({ level: 0, message: 'staged', data: {} });
    await waitFor(() => stagedCount(s) === 1);
    await s.auxDb.db.schema.dropTable('_logs').execute();
    await expect(s.flush()).resolves.toBeUndefined();
    expect(stagedCount(s)).toBe(1);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/staged log entries could not be moved into _logs/);
    // the next batch goes straight at _logs (and is dropped) instead of joining the staged one
    s.write({ level: 0, message: 'after', data: {} });
    await expect(s.flush()).resolves.toBeUndefined();
    expect(stagedCount(s)).toBe(1);
    expect(s.dropped()).toBe(1);
  });
});

// the writer thread's memory is given back while no request comes (issue 16); Node writes inline, no thread
describe.skipIf(!process.versions.bun)('the writer thread stopped while idle', () => {
  beforeEach(() => {
    inline = false;
  });
  const waitFor = async (what: () => boolean): Promise<void> => {
    for (let i = 0; i < 500 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(what()).toBe(true);
  };
  const logged = (s: LogService): number => Number(s.auxDb.select('SELECT count(*) AS n FROM "_logs"')[0]?.['n']);

  it('stops once no batch came for stopIdleWriterMs, staged batches moved first, and starts again with the next batch', async () => {
    const s = open(undefined, { batchSize: 1, idleMs: 60_000, stopIdleWriterMs: 200 });
    expect(s.writerThread()).toBe('none'); // nothing logged yet: not started
    s.write({ level: 0, message: 'first', data: {} });
    await s.flush();
    expect(s.writerThread()).toBe('running');
    s.write({ level: 0, message: 'staged', data: {} });
    await waitFor(() => stagedCount(s) === 1);
    await waitFor(() => s.writerThread() === 'none');
    // moved into _logs on the way out, though the writer never went quiet for idleMs
    expect(stagedCount(s)).toBe(0);
    expect((await rows(s)).map((r) => r['message'])).toEqual(['first', 'staged']);
    s.write({ level: 0, message: 'after', data: {} });
    await waitFor(() => logged(s) === 3);
    expect(s.writerThread()).toBe('running');
    await s.flush();
    expect((await rows(s)).map((r) => r['message'])).toEqual(['first', 'staged', 'after']);
  });

  it('a batch handed over while the writer stops waits for the next writer: every entry once, in order', async () => {
    const s = open(undefined, { stopIdleWriterMs: 100 });
    s.write({ level: 0, message: 'first', data: {} });
    await s.flush();
    await waitFor(() => s.writerThread() === 'stopping');
    // two entries of ~30 KB fill a chunk: the third hands them over now, in this turn, while the writer exits
    const big = 'x'.repeat(30_000);
    for (let i = 0; i < 3; i++) s.write({ level: 0, message: `big ${i}`, data: { big } });
    expect(s.writerThread()).toBe('stopping');
    await s.flush();
    const messages = (await rows(s)).map((r) => String(r['message']));
    expect(messages).toEqual(['first', 'big 0', 'big 1', 'big 2']);
    expect(s.dropped()).toBe(0);
  });

  it('a flush or a close while it is stopped or stopping writes everything', async () => {
    const s = open(undefined, { stopIdleWriterMs: 100 });
    s.write({ level: 0, message: 'a', data: {} });
    await s.flush();
    await waitFor(() => s.writerThread() === 'none');
    await s.flush(); // nothing queued: no writer started for it
    expect(s.writerThread()).toBe('none');
    s.write({ level: 0, message: 'b', data: {} });
    await s.flush();
    await waitFor(() => s.writerThread() === 'stopping');
    s.write({ level: 0, message: 'c', data: {} });
    await s.close();
    const again = open(undefined, { inline: true });
    expect((await rows(again)).map((r) => r['message'])).toEqual(['a', 'b', 'c']);
  });
});

describe('logs settings from the environment', () => {
  it('GALLEY_LOGS_* pre-set logs.maxDays, minLevel, logIP and logAuthId', async () => {
    const { readSettingsEnv } = await import('../../src/admin/settings-store.ts');
    expect(readSettingsEnv({ GALLEY_LOGS_MAX_DAYS: '0', GALLEY_LOGS_MIN_LEVEL: '4', GALLEY_LOGS_LOG_IP: 'false', GALLEY_LOGS_LOG_AUTH_ID: 'true' })).toEqual({
      logs: { maxDays: 0, minLevel: 4, logIP: false, logAuthId: true },
    });
  });
});

describe('the batch encoding sent to the writer thread', () => {
  it('round-trips app entries with tabs, newlines, quotes, digits and colons and non-ASCII, their data as JSON text', async () => {
    const { decodeBatch, encodeBatch, ENTRY } = await import('../../src/logs/log-rows.ts');
    const message = '12:34 GET /a\tb\nc "q" \\ é 😀 -';
    const data = { s: 'x\ty\nz;1:2', n: 1.5 };
    expect(decodeBatch(encodeBatch([ENTRY, 1767261600123, -4, message, data, ENTRY, 0, 8, '', {}]))).toEqual([
      { level: -4, created: 1767261600123, message, data: JSON.stringify(data) },
      { level: 8, created: 0, message: '', data: '{}' },
    ]);
    expect(decodeBatch(encodeBatch([]))).toEqual([]);
  });

  it('a request written straight into a chunk as bytes reads back as the same entry as its length-prefixed form', async () => {
    const { decodeBatch, encodeRequestRecord, plainField, requestRecordBound, writeRequestRecord } = await import('../../src/logs/log-rows.ts');
    const error = JSON.stringify({ message: 'Failed.', details: { a: { code: 'x' } } });
    const cases: Array<Parameters<typeof encodeRequestRecord>> = [
      [1767261600123, 200, 0.532999, 'GET', 'http://h:1/api/collections/posts/records/abc?token=sekrit&x=%20é', 'Bun/1.2.0 😀', undefined, undefined, undefined, '127.0.0.1', '127.0.0.1', undefined],
      [5, 404, 12, 'POST', 'http://h:1/a', undefined, 'http://ref/?code=abc', 'users', 'u1', undefined, undefined, error],
      [6, 500, 0, 'PATCH', 'http://h:1/b', '', '', '', '', '', '', undefined],
    ];
    const buf = Buffer.alloc(4096);
    for (const facts of cases) {
      const [created, status, execTime, method, url, ua, referer, auth, authId, userIP, remoteIP, errorText] = facts;
      expect([method, url, ua, referer, auth, authId, userIP, remoteIP, errorText].every(plainField)).toBe(true);
      const end = writeRequestRecord(buf, 0, created, status, execTime, method, url, ua, referer, auth, authId, userIP, remoteIP, errorText);
      const chars = [method, url, ua, referer, auth, authId, userIP, remoteIP, errorText].reduce((n, v) => n + (v?.length ?? 0), 0);
      expect(end).toBeLessThanOrEqual(requestRecordBound(chars));
      const [fromBytes] = decodeBatch(buf.toString('utf8', 0, end));
      const [fromText] = decodeBatch(encodeRequestRecord(...facts));
      expect(fromBytes).toEqual(fromText);
    }
    // values a 'q' record cannot hold take the length-prefixed form
    expect(plainField('a\0b')).toBe(false);
    expect(plainField('\x01')).toBe(false);
    // and writing one answers -1 (nothing written counts), in an ASCII value or one beyond ASCII, in any field
    for (const odd of ['a\0b', '\x01', 'é\0', '\0']) {
      expect(plainField(odd)).toBe(false);
      expect(writeRequestRecord(buf, 0, 1, 200, 0, 'GET', odd, undefined, undefined, undefined, undefined, undefined, undefined, undefined)).toBe(-1);
      expect(writeRequestRecord(buf, 0, 1, 200, 0, 'GET', 'http://h:1/a', 'ua', undefined, undefined, undefined, undefined, odd, undefined)).toBe(-1);
    }
    // a value that only holds \x01 among other characters is plain
    const end = writeRequestRecord(buf, 0, 1, 200, 0, 'GET', 'http://h:1/a\x01b', '\x01\x01', undefined, undefined, undefined, undefined, undefined, undefined);
    expect(decodeBatch(buf.toString('utf8', 0, end))).toEqual(decodeBatch(encodeRequestRecord(1, 200, 0, 'GET', 'http://h:1/a\x01b', '\x01\x01', undefined, undefined, undefined, undefined, undefined, undefined)));
  });

  it('a batch redacted for staging reads back as the same rows as the batch itself', async () => {
    const { decodeBatch, encodeBatch, redactBatch, writeRequestRecord, ENTRY, REQUEST } = await import('../../src/logs/log-rows.ts');
    const buf = Buffer.alloc(4096);
    let at = writeRequestRecord(buf, 0, 7, 200, 0.25, 'GET', 'http://h:1/a?token=sekA&x=%20é#f', 'ua?token=kept', 'http://r/?code=sekB', undefined, undefined, undefined, undefined, undefined);
    at = writeRequestRecord(buf, at, 8, 404, 2, 'GET', 'http://h:1/plain', undefined, undefined, 'users', 'u1', '1.2.3.4', '', JSON.stringify({ message: 'x?', details: {} }));
    const batch = buf.toString('utf8', 0, at) + encodeBatch([
      ENTRY, 9, 4, 'app ? token=x', { q: '?code=1' },
      REQUEST, 10, 500, 1, 'POST', 'http://h:1/b?pass=sekC', undefined, undefined, undefined, undefined, undefined, undefined, undefined,
    ]);
    const redacted = redactBatch(batch);
    expect(redacted).not.toMatch(/sekA|sekB|sekC/);
    expect(decodeBatch(redacted)).toEqual(decodeBatch(batch));
    const plain = buf.toString('utf8', 0, writeRequestRecord(buf, 0, 7, 200, 1, 'GET', 'http://h:1/a', 'ua', undefined, undefined, undefined, undefined, undefined, undefined));
    expect(redactBatch(plain)).toBe(plain);
  });

  it("a request's data is the JSON text JSON.stringify writes, whatever the characters in its values (quotes, controls, lone surrogates)", async () => {
    const { buildRequestLogRow } = await import('../../src/logs/request-log.ts');
    const odd = ['plain', '', 'a"b', 'back\\slash', 'tab\there', 'nl\n', '\u001f', '\u007f', '\u2028', 'é 😀', 'lone \ud800 x', 'x \udc00'];
    for (const v of odd) {
      const row = buildRequestLogRow({
        method: 'GET', url: `http://h:1/p/${v}`, status: 200, execTime: 1.5, userAgent: v, referer: v, auth: v, authId: v, userIP: v, remoteIP: v, error: undefined,
      });
      const expected = { type: 'request', execTime: 1.5, url: `/p/${v}`, method: 'GET', status: 200, referer: v, userAgent: v, auth: v, authId: v, userIP: v, remoteIP: v };
      expect(row.data).toBe(JSON.stringify(expected));
    }
  });

  it('log ids are 15 chars of [a-z0-9], unique and in the order they were made, across milliseconds', async () => {
    const { createLogIdSource } = await import('../../src/logs/log-rows.ts');
    const nextId = createLogIdSource();
    const ids: string[] = [];
    for (const ms of [1767261600123, 1767261600123, 1767261600124, 1767261600124, 1767261600999, 1767261601000]) {
      for (let i = 0; i < 3; i++) ids.push(nextId(ms));
    }
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{15}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // the time part leads; the per-writer counter orders ids of one millisecond
    expect(ids.slice(0, 6).every((id) => id.slice(0, 9) === ids[0]!.slice(0, 9))).toBe(true);
    expect(ids[6]!.slice(0, 9) > ids[0]!.slice(0, 9)).toBe(true);
    expect(ids[17]!.slice(0, 9) > ids[12]!.slice(0, 9)).toBe(true);
  });

  it('a request crosses raw and becomes its entry on the writer side: redacted, capped, absent facts left out', async () => {
    const { decodeBatch, encodeBatch, REQUEST } = await import('../../src/logs/log-rows.ts');
    const ua = 'agent;with:odd-chars\t' + 'u'.repeat(2100);
    const error = { message: 'Failed to authenticate.', details: { identity: { code: 'x' } } };
    const [guest, user] = decodeBatch(encodeBatch([
      REQUEST, 5, 200, 0.25, 'get', 'http://h:1/api/files/c/r/a.png?token=sekrit&thumb=10x10', ua, undefined, undefined, undefined, undefined, undefined, undefined,
      REQUEST, 6, 400, 3, 'POST', 'http://h:1/api/x%20y?a=1', undefined, 'http://ref/?code=abc', 'users', 'u1', '10.0.0.1', '', error,
    ]));
    expect(guest).toMatchObject({ level: 0, created: 5, message: 'GET /api/files/c/r/a.png?token=[redacted]&thumb=10x10' });
    expect(JSON.parse(guest!.data)).toEqual({
      type: 'request', execTime: 0.25, url: '/api/files/c/r/a.png?token=[redacted]&thumb=10x10', method: 'GET', status: 200,
      referer: '', userAgent: ua.slice(0, 2000) + '...', auth: '',
    });
    expect(user).toMatchObject({ level: 8, created: 6, message: 'POST /api/x y?a=1' });
    expect(JSON.parse(user!.data)).toEqual({
      type: 'request', execTime: 3, error: error.message, details: error.details, url: '/api/x%20y?a=1', method: 'POST', status: 400,
      referer: 'http://ref/?code=[redacted]', userAgent: '', auth: 'users', authId: 'u1', userIP: '10.0.0.1', remoteIP: '',
    });
  });
});
