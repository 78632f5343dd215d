/**
 * The settings as the running app sees them: what data.db holds (param `settings`), with the environment's
 * and createGalley's overrides over it at start. Read synchronously on every request; a save swaps it whole.
 */
import type { Database } from '../db/database.ts';
import { getParam, setParam } from '../db/params.ts';
import { notifyInstances, POSTGRES_SETTINGS_CHANNEL } from '../db/postgres-notify.ts';
import { randomString } from '../lib/ids.ts';
import { GalleyError } from '../errors.ts';
import { createDefaultSettings, mergeSettings, type Settings } from './settings-model.ts';
import { validateSettings } from './settings-validate.ts';

const PARAM_KEY = 'settings';

/** Any part of the settings (createGalley's `settings` option, the environment). */
export type SettingsInput = { [K in keyof Settings]?: Partial<Settings[K]> };

export interface SettingsStore {
  /** The settings in force. Treat as read-only: a change goes through `save`. */
  current(): Settings;
  /** Bumped by every save, so caches built from the settings (mail transport, rate limiters) know to rebuild. */
  version(): number;
  /** Validate, store in data.db and put in force. */
  save(next: Settings): Promise<void>;
  /** Called after each save with the settings now in force (the log service trims what `logs` no longer allows). */
  onSave(listener: (settings: Settings) => void): void;
  /** A check a save must pass before it is stored (a throw refuses the save): PostgreSQL's files lock. */
  beforeSave(check: (next: Settings) => Promise<void>): void;
  /**
   * Another instance on the same PostgreSQL database saved (its NOTIFY's payload): load the stored settings and
   * put them in force, as its save did there (the onSave listeners run). A payload of this store's own save, or
   * none, is ignored / always loads.
   */
  followSaved(payload?: string): Promise<void>;
}

/** Environment variables that pre-set settings at start (they win over the stored values until a save). */
export const SETTINGS_ENV = {
  GALLEY_SMTP_HOST: ['smtp', 'host'],
  GALLEY_SMTP_PORT: ['smtp', 'port'],
  GALLEY_SMTP_USERNAME: ['smtp', 'username'],
  GALLEY_SMTP_PASSWORD: ['smtp', 'password'],
  GALLEY_SMTP_AUTH_METHOD: ['smtp', 'authMethod'],
  GALLEY_SMTP_TLS: ['smtp', 'tls'],
  GALLEY_SMTP_LOCAL_NAME: ['smtp', 'localName'],
  GALLEY_SMTP_ENABLED: ['smtp', 'enabled'],
  GALLEY_APP_NAME: ['meta', 'appName'],
  GALLEY_APP_URL: ['meta', 'appURL'],
  GALLEY_SENDER_NAME: ['meta', 'senderName'],
  GALLEY_SENDER_ADDRESS: ['meta', 'senderAddress'],
  GALLEY_S3_ENABLED: ['s3', 'enabled'],
  GALLEY_S3_BUCKET: ['s3', 'bucket'],
  GALLEY_S3_REGION: ['s3', 'region'],
  GALLEY_S3_ENDPOINT: ['s3', 'endpoint'],
  GALLEY_S3_ACCESS_KEY: ['s3', 'accessKey'],
  GALLEY_S3_SECRET: ['s3', 'secret'],
  GALLEY_S3_FORCE_PATH_STYLE: ['s3', 'forcePathStyle'],
  GALLEY_REALTIME_MAX_SUBSCRIPTION_BYTES: ['realtime', 'maxSubscriptionBytes'],
  GALLEY_REALTIME_MAX_STREAMS_PER_IP: ['realtime', 'maxStreamsPerIp'],
  GALLEY_LOGS_MAX_DAYS: ['logs', 'maxDays'],
  GALLEY_LOGS_MIN_LEVEL: ['logs', 'minLevel'],
  GALLEY_LOGS_LOG_IP: ['logs', 'logIP'],
  GALLEY_LOGS_LOG_AUTH_ID: ['logs', 'logAuthId'],
} as const;

/** The overrides the environment asks for; a GALLEY_SMTP_HOST alone turns SMTP on, a GALLEY_S3_BUCKET S3 storage. */
export function readSettingsEnv(env: Record<string, string | undefined>): SettingsInput {
  const out: Record<string, Record<string, unknown>> = {};
  const defaults = createDefaultSettings() as unknown as Record<string, Record<string, unknown>>;
  for (const [name, [section, key]] of Object.entries(SETTINGS_ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const template = defaults[section]![key];
    let value: unknown = raw;
    if (typeof template === 'number') value = Number(raw);
    if (typeof template === 'boolean') value = ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
    (out[section] ??= {})[key] = value;
  }
  if (out['smtp']?.['host'] !== undefined && env['GALLEY_SMTP_ENABLED'] === undefined) out['smtp']['enabled'] = true;
  if (out['s3']?.['bucket'] !== undefined && env['GALLEY_S3_ENABLED'] === undefined) out['s3']['enabled'] = true;
  return out as SettingsInput;
}

function describeIssues(issues: object, prefix = ''): string[] {
  return Object.entries(issues).flatMap(([key, value]) =>
    'code' in value ? [`${prefix}${key}: ${String(value.message)}`] : describeIssues(value, `${prefix}${key}.`),
  );
}

/** Load the stored settings, apply overrides (a bad override fails the start with the path at fault). */
async function readStoredSettings(db: Database): Promise<Settings> {
  const stored = await getParam(db, PARAM_KEY);
  let parsed: unknown = {};
  try {
    parsed = stored === null ? {} : JSON.parse(stored);
  } catch {
    parsed = {}; // an unreadable row falls back to the defaults rather than refusing to start
  }
  return mergeSettings(createDefaultSettings(), parsed).settings;
}

export async function loadSettingsStore(db: Database, overrides: SettingsInput[] = []): Promise<SettingsStore> {
  let settings = await readStoredSettings(db);
  for (const patch of overrides) {
    const { settings: next, issues } = mergeSettings(settings, patch);
    const problems = [...describeIssues(issues), ...describeIssues(validateSettings(next))];
    if (problems.length > 0) throw new GalleyError('invalid', `settings: ${problems.join('; ')}`);
    settings = next;
  }
  let version = 0;
  const listeners: Array<(settings: Settings) => void> = [];
  const checks: Array<(next: Settings) => Promise<void>> = [];
  // tells this store's own NOTIFY from another instance's
  const storeId = randomString(15);
  const putInForce = (next: Settings): void => {
    settings = next;
    version++;
    for (const listener of listeners) listener(next);
  };
  return {
    current: () => settings,
    version: () => version,
    async save(next) {
      const issues = validateSettings(next);
      if (Object.keys(issues).length > 0) throw new GalleyError('invalid', 'An error occurred while saving the new settings.', { issues });
      const frozen = structuredClone(next);
      for (const check of checks) await check(frozen);
      await db.writer.run(async (tx) => {
        await setParam(tx, PARAM_KEY, JSON.stringify(frozen));
        await notifyInstances(tx, POSTGRES_SETTINGS_CHANNEL, storeId);
      });
      putInForce(frozen);
    },
    onSave: (listener) => void listeners.push(listener),
    beforeSave: (check) => void checks.push(check),
    async followSaved(payload) {
      if (payload === storeId) return;
      putInForce(await readStoredSettings(db));
    },
  };
}
