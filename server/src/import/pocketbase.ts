/**
 * `galley import pocketbase`: a PocketBase 0.23+ `pb_data` directory becomes a Galley data directory plus a
 * schema file. PocketBase's storage (facts from its migrations and models): `data.db` holds `_collections`
 * (one row per collection; `fields`, `indexes` and `options` as JSON, auth options and a view's `viewQuery`
 * inside `options`), `_params` (the `settings` row as JSON, or encrypted when PB_ENCRYPTION is set), one table
 * per collection named after it, and the system collections `_superusers`, `_externalAuths`, `_authOrigins`,
 * `_mfas`, `_otps`; files live under `storage/<collectionId>/<recordId>/<name>`, the same keys Galley uses.
 *
 * The source is read through SQLite in one read transaction (a running PocketBase is fine), never copied.
 * Everything is written into a temp directory beside the target and renamed into place at the end, so a
 * failure leaves nothing behind; a dry run does the same work and then removes the temp directory.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createDefaultSettings, mergeSettings } from '../admin/settings-model.ts';
import { checkTokenSecrets, toImportValidationFailure } from '../admin/collections-token-secrets.ts';
import { applyMigration, type MigrateDirOptions } from '../db/migrate/migrate-dir.ts';
import { createDecipheriv } from 'node:crypto';
import { createRequire } from 'node:module';
import { detectRuntime, nativeModuleName, openSqliteHandle, type SqliteHandle } from '../db/driver.ts';
import { PARAMS_TABLE } from '../db/meta-tables.ts';
import { LOGS_TABLE, LOGS_TABLE_DDL } from '../logs/log-entry.ts';

export interface PocketbaseImportOptions {
  /** the PocketBase `pb_data` directory */
  pbData: string;
  /** the Galley data directory to create (must not exist, or be empty) */
  dir: string;
  /** where the schema file goes */
  schemaOut: string;
  dryRun?: boolean;
  /** PocketBase's PB_ENCRYPTION key (32 characters), for settings it stored encrypted */
  encryptionKey?: string;
  /** also copy the request/app logs (`auxiliary.db` → `aux.db`) */
  logs?: boolean;
  /** one line per step (collections, records, files) */
  progress?: (line: string) => void;
  /** how the schema file is loaded (index.ts passes the rule compile check serve uses) */
  loadOptions?: MigrateDirOptions['loadOptions'];
}

export interface SkippedItem {
  what: string;
  reason: string;
}

export interface PocketbaseImportReport {
  collections: number;
  records: number;
  files: number;
  logs: number;
  tokenSecrets: number;
  settings: 'imported' | 'none' | 'encrypted';
  skipped: SkippedItem[];
  /** OAuth2 client secrets moved out of the schema file: set these variables before `galley serve` */
  envSecrets: Array<{ name: string; value: string }>;
  dir: string;
  schemaFile: string;
  dryRun: boolean;
}

/** PocketBase's token option → Galley's token type (key store: `tokenSecret:<collectionId>:<type>`). */
const TOKEN_OPTIONS = {
  authToken: 'auth',
  fileToken: 'file',
  verificationToken: 'verification',
  passwordResetToken: 'passwordReset',
  emailChangeToken: 'emailChange',
} as const;

/** Galley builds these itself (same tables and fields); their rows are copied, their definitions are not. */
const BUILTIN_INTERNAL = new Set(['_externalAuths', '_mfas', '_otps', '_authOrigins']);

type Row = Record<string, unknown>;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const envName = (collection: string, provider: string) =>
  `PB_OAUTH2_${collection}_${provider}_SECRET`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');

export async function importPocketbase(opts: PocketbaseImportOptions): Promise<PocketbaseImportReport> {
  const pbData = resolve(opts.pbData);
  const dir = resolve(opts.dir);
  const schemaFile = resolve(opts.schemaOut);
  const progress = opts.progress ?? (() => {});
  const pbFile = join(pbData, 'data.db');
  if (!existsSync(pbFile)) throw new Error(`${pbData} is not a PocketBase data directory: there is no data.db in it`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} already exists and is not empty: import into a new directory`);
  if (!opts.dryRun && existsSync(schemaFile)) throw new Error(`${schemaFile} already exists: choose another --schema-out`);

  const report: PocketbaseImportReport = {
    collections: 0,
    records: 0,
    files: 0,
    logs: 0,
    tokenSecrets: 0,
    settings: 'none',
    skipped: [],
    envSecrets: [],
    dir,
    schemaFile,
    dryRun: opts.dryRun === true,
  };
  const tmp = join(dirname(dir), `.${basename(dir)}.import-${process.pid}-${Date.now()}`);
  const tmpSchema = join(tmp, '.import-schema.json');
  const pb = openReadOnly(pbFile);
  let galley: SqliteHandle | undefined;
  const envBefore = new Map<string, string | undefined>();
  try {
    pb.exec('BEGIN'); // one snapshot of a possibly running PocketBase
    const pbTables = new Set(pb.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all().map((r) => String(r['name'])));
    if (!pbTables.has('_collections')) throw new Error(`${pbFile} has no _collections table: only PocketBase 0.23 and later can be imported`);

    // 1. collections → schema file
    const rows = pb.prepare(`SELECT * FROM _collections ORDER BY created, rowid`).all();
    const collections: Row[] = [];
    const secrets: Array<{ collectionId: string; type: string; value: string }> = [];
    for (const row of rows) {
      const name = String(row['name']);
      const type = String(row['type']);
      if (BUILTIN_INTERNAL.has(name)) continue;
      const options = parseJson(row['options'], {}) as Row;
      const model: Row = {
        id: row['id'],
        name,
        type,
        system: Boolean(row['system']),
        listRule: row['listRule'] ?? null,
        viewRule: row['viewRule'] ?? null,
        createRule: row['createRule'] ?? null,
        updateRule: row['updateRule'] ?? null,
        deleteRule: row['deleteRule'] ?? null,
        fields: parseJson(row['fields'], []),
        indexes: parseJson(row['indexes'], []),
        ...options,
      };
      if (type === 'auth') {
        // a secret PocketBase itself would refuse (hand-edited) fails the import as PocketBase's import API does
        const bad = checkTokenSecrets(model);
        if (Object.keys(bad).length > 0) throw toImportValidationFailure(name, String(row['id']), bad);
        for (const [option, tokenType] of Object.entries(TOKEN_OPTIONS)) {
          const config = model[option] as Row | undefined;
          if (config && typeof config['secret'] === 'string' && config['secret'] !== '') {
            secrets.push({ collectionId: String(row['id']), type: tokenType, value: config['secret'] });
          }
          if (config) delete config['secret']; // never in the schema file
        }
        const oauth2 = model['oauth2'] as Row | undefined;
        if (oauth2 && oauth2['providers'] == null) oauth2['providers'] = []; // PocketBase stores null for none
        const providers = (oauth2?.['providers'] ?? []) as Row[];
        for (const provider of providers) {
          const value = provider['clientSecret'];
          if (typeof value !== 'string' || value === '') continue;
          const variable = envName(name, String(provider['name']));
          report.envSecrets.push({ name: variable, value });
          provider['clientSecret'] = `$env:${variable}`;
        }
      }
      collections.push(model);
    }
    report.collections = collections.length;
    progress(`collections: ${collections.length}`);

    mkdirSync(tmp, { recursive: true });
    writeFileSync(tmpSchema, `${JSON.stringify({ collections }, null, 2)}\n`);
    // the loader checks each $env: reference is set; the values are at hand, so set them for this apply only
    for (const { name, value } of report.envSecrets) {
      envBefore.set(name, process.env[name]);
      process.env[name] = value;
    }
    await applyMigration({ dir: tmp, schemaFile: tmpSchema, loadOptions: opts.loadOptions });

    // 2. records, system rows, key store, settings
    galley = openSqliteHandle(join(tmp, 'data.db'));
    galley.exec('BEGIN IMMEDIATE');
    const importedIds = new Map<string, Set<string>>();
    const tables = [...collections.filter((c) => c['type'] !== 'view').map((c) => String(c['name'])), ...BUILTIN_INTERNAL];
    for (const table of tables) {
      if (!pbTables.has(table)) {
        report.skipped.push({ what: `collection ${table}`, reason: 'no table in data.db' });
        continue;
      }
      const target = new Set(galley.prepare(`SELECT name FROM pragma_table_info(?)`).all([table]).map((r) => String(r['name'])));
      const source = pb.prepare(`SELECT name FROM pragma_table_info(?)`).all([table]).map((r) => String(r['name']));
      const columns = source.filter((c) => target.has(c));
      for (const c of source) if (!target.has(c)) report.skipped.push({ what: `${table}.${c}`, reason: 'column has no field in the schema (not imported)' });
      if (columns.length === 0) continue;
      const insert = galley.prepare(`INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      let count = 0;
      const ids = new Set<string>();
      importedIds.set(String(collections.find((c) => c['name'] === table)?.['id'] ?? table), ids);
      for (const record of pb.prepare(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)}`).all()) {
        try {
          galley.exec('SAVEPOINT rec');
          insert.run(columns.map((c) => record[c]));
          galley.exec('RELEASE rec');
          ids.add(String(record['id']));
          count++;
        } catch (err) {
          galley.exec('ROLLBACK TO rec');
          galley.exec('RELEASE rec');
          report.skipped.push({ what: `${table} record ${String(record['id'])}`, reason: (err as Error).message });
        }
      }
      report.records += count;
      progress(`records: ${table} ${count}`);
    }

    // wire: PocketBase keeps superusers verified; a hand-edited row that is not comes in verified all the same
    if (pbTables.has('_superusers')) galley.exec(`UPDATE "_superusers" SET verified = 1 WHERE verified IS NOT 1`);

    const setParam = galley.prepare(`INSERT OR REPLACE INTO ${PARAMS_TABLE} (key, value, updated) VALUES (?, ?, strftime('%Y-%m-%d %H:%M:%fZ'))`);
    for (const s of secrets) setParam.run([`tokenSecret:${s.collectionId}:${s.type}`, s.value]);
    report.tokenSecrets = secrets.length;

    if (pbTables.has('_params')) {
      const raw = pb.prepare(`SELECT value FROM _params WHERE id = 'settings'`).all()[0]?.['value'];
      if (raw != null) {
        let parsed = parseJson(raw, undefined);
        if ((parsed === undefined || typeof parsed !== 'object') && opts.encryptionKey) parsed = decryptSettings(String(raw), opts.encryptionKey);
        if (parsed === undefined || parsed === null || typeof parsed !== 'object') {
          report.settings = 'encrypted';
          report.skipped.push({
            what: 'settings',
            reason: opts.encryptionKey
              ? 'encrypted, and the given key does not decrypt them (Galley\'s defaults kept)'
              : 'encrypted with PB_ENCRYPTION: give the same key (--encryption-env NAME), or set the settings again in Galley',
          });
        } else {
          const { settings, issues } = mergeSettings(createDefaultSettings(), parsed);
          for (const key of Object.keys(issues)) report.skipped.push({ what: `settings.${key}`, reason: 'not valid in Galley (default kept)' });
          setParam.run(['settings', JSON.stringify(settings)]);
          report.settings = 'imported';
        }
      }
    }
    galley.exec('COMMIT');
    galley.close();
    galley = undefined;

    // 3. local files (thumbnails are made again on demand)
    const storage = join(pbData, 'storage');
    const known = new Set(collections.map((c) => String(c['id'])));
    if (existsSync(storage)) {
      for (const collectionId of readdirSync(storage)) {
        if (!known.has(collectionId)) {
          report.skipped.push({ what: `storage/${collectionId}`, reason: 'no such collection' });
          continue;
        }
        for (const file of walk(join(storage, collectionId))) {
          const rel = file.slice(storage.length + 1).split(/[\\/]/);
          if (rel.some((part) => part.startsWith('thumbs_'))) continue;
          if (rel.length !== 3 || !importedIds.get(collectionId)?.has(rel[1]!)) {
            report.skipped.push({ what: `storage/${rel.join('/')}`, reason: rel.length !== 3 ? 'not a record file' : 'its record was not imported' });
            continue;
          }
          const to = join(tmp, 'storage', ...rel);
          mkdirSync(dirname(to), { recursive: true });
          copyFileSync(file, to);
          report.files++;
          if (report.files % 100 === 0) progress(`files: ${report.files}`);
        }
      }
    }
    progress(`files: ${report.files}`);
    pb.exec('COMMIT');
    if (opts.logs) report.logs = copyLogs(join(pbData, 'auxiliary.db'), join(tmp, 'aux.db'), report);

    rmSync(tmpSchema);
    if (opts.dryRun) {
      rmSync(tmp, { recursive: true, force: true });
      return report;
    }
    writeFileSync(schemaFile, `${JSON.stringify({ collections }, null, 2)}\n`, { flag: 'wx' });
    if (existsSync(dir)) rmSync(dir, { recursive: true }); // empty, checked above
    renameSync(tmp, dir);
    return report;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    galley?.close();
    pb.close();
    for (const [name, value] of envBefore) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** PocketBase's `_logs` (its aux migration) has Galley's columns: copied as they are, in one transaction. */
function copyLogs(from: string, to: string, report: PocketbaseImportReport): number {
  if (!existsSync(from)) {
    report.skipped.push({ what: 'logs', reason: 'no auxiliary.db in pb_data' });
    return 0;
  }
  const source = openReadOnly(from);
  const target = openSqliteHandle(to);
  try {
    for (const ddl of LOGS_TABLE_DDL) target.exec(ddl);
    target.exec('BEGIN IMMEDIATE');
    const insert = target.prepare(`INSERT OR IGNORE INTO ${LOGS_TABLE} (id, level, message, data, created) VALUES (?, ?, ?, ?, ?)`);
    let count = 0;
    for (const row of source.prepare(`SELECT id, level, message, data, created FROM ${LOGS_TABLE}`).all()) {
      count += insert.run([row['id'], row['level'], row['message'], row['data'], row['created']]).changes;
    }
    target.exec('COMMIT');
    return count;
  } finally {
    source.close();
    target.close();
  }
}

interface ReadOnlyDb {
  exec(sql: string): void;
  prepare(sql: string): { all(params?: readonly unknown[]): Row[] };
  close(): void;
}

/**
 * PocketBase's files opened read-only with the runtime's driver (Galley's handle opens read-write, and closing
 * the last read-write connection would checkpoint a stopped PocketBase's WAL into its data.db).
 */
function openReadOnly(file: string): ReadOnlyDb {
  type Native = { exec(sql: string): unknown; prepare(sql: string): { all(...params: unknown[]): unknown[] }; close(): void };
  const requireHere = createRequire(import.meta.url);
  const specifier = nativeModuleName(); // computed, so bundlers leave it alone
  const native: Native =
    detectRuntime() === 'bun'
      ? new (requireHere(specifier) as { Database: new (f: string, o: object) => Native }).Database(file, { readonly: true, strict: true })
      : new (requireHere(specifier) as new (f: string, o: object) => Native)(file, { readonly: true, fileMustExist: true });
  return {
    exec: (sql) => void native.exec(sql),
    prepare: (sql) => {
      const stmt = native.prepare(sql);
      return { all: (params = []) => stmt.all(...params) as Row[] };
    },
    close: () => native.close(),
  };
}

/** PocketBase's encrypted settings: base64(nonce ‖ AES-256-GCM ciphertext ‖ tag), the key being the 32-byte string. */
function decryptSettings(value: string, key: string): unknown {
  try {
    const bytes = Buffer.from(value, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key, 'utf8'), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const plain = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
    return JSON.parse(plain.toString('utf8'));
  } catch {
    return undefined;
  }
}

function parseJson(value: unknown, fallback: unknown): unknown {
  if (typeof value !== 'string') return value ?? fallback;
  try {
    return JSON.parse(value);
  } catch {
    return fallback;
  }
}

function* walk(folder: string): Generator<string> {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** The summary line printed at the end. */
export function formatImportSummary(r: PocketbaseImportReport): string {
  const verb = r.dryRun ? 'Would import' : 'Imported';
  return `${verb} ${r.collections} collections, ${r.records} records, ${r.files} files, ${r.logs} log entries, ${r.tokenSecrets} token secrets, settings: ${r.settings}; ${r.skipped.length} skipped.`;
}
