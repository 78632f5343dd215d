import type { Installer } from './admin/installer.ts';
import type { SchemaService } from './admin/schema-service.ts';
import type { BackupService } from './backups/backup-service.ts';
import type { SettingsStore } from './admin/settings-store.ts';
import type { OtpAttempts } from './auth/otp-attempts.ts';
import type { OtpDecoys } from './auth/otp-decoys.ts';
import type { AppleNames } from './auth/oauth2/apple-name.ts';
import type { ResendThrottle } from './auth/resend-throttle.ts';
import type { SignInThrottle } from './auth/sign-in-throttle.ts';
import type { Config } from './config.ts';
import type { CronService } from './cron/scheduler.ts';
import type { Database } from './db/database.ts';
import type { ThumbnailService } from './files/thumbnail.ts';
import type { EventBus } from './hooks/event-bus.ts';
import type { RateLimiter } from './http/rate-limit.ts';
import type { GuardedFetchOptions } from './lib/guarded-fetch.ts';
import type { Logger } from './lib/log.ts';
import type { LogService } from './logs/log-service.ts';
import type { FileStorage } from './lib/storage/file-storage.ts';
import type { Broker } from './realtime/model.ts';
import type { Schema } from './schema/model.ts';

/**
 * The narrow bag every service receives first. `schema` is read once per request: live reload
 * swaps the whole object, so a request never sees a half-applied schema.
 */
export interface Core {
  readonly config: Config;
  readonly db: Database;
  schema: Schema;
  readonly hooks: EventBus;
  readonly log: Logger;
  readonly clock: () => Date;
  /** Per-collection signing secrets for each token type (kept in the data dir, never in the schema file). */
  readonly secrets: SecretStore;
  /** The app settings (meta, smtp, rate limits, trusted proxy, …) kept in data.db. */
  readonly settings: SettingsStore;
  /** File-field bytes: local disk under `<dir>/storage`, or S3 while `settings.s3.enabled` (follows settings changes). */
  readonly storage: FileStorage;
  /** Failed password sign-ins per account (auth/sign-in-throttle.ts), beside the per-IP rate limit. */
  readonly signInThrottle: SignInThrottle;
  /** Request and app logs in aux.db (logs/log-service.ts); `logs.auxDb` is aux.db for other services' tables. */
  readonly logs: LogService;
  /** The cron scheduler (cron/scheduler.ts): PocketBase's built-in jobs, and `add(id, expression, fn)` for app jobs. */
  readonly cron: CronService;
  /**
   * Started after the rest of the core (it reads the core): the schema follower / reloader, and the realtime
   * broker. Undefined only while createGalley is still starting.
   */
  readonly schemaService?: SchemaService;
  readonly realtime: Broker;
  /** Per-IP rate-limit windows (http/rate-limit.ts). */
  readonly rateLimiter: RateLimiter;
  /** OTP try counts and the otpIds handed out for unknown emails (auth/otp-attempts.ts, auth/otp-decoys.ts). */
  readonly otpAttempts: OtpAttempts;
  readonly otpDecoys: OtpDecoys;
  /** When a verification / password-reset mail may go to a record again (auth/resend-throttle.ts). */
  readonly resendThrottle: ResendThrottle;
  /** OAuth2: Apple's names waiting for their code; how provider avatars are fetched (tests point it at loopback). */
  readonly oauth2: { readonly appleNames: AppleNames; avatarFetch: GuardedFetchOptions | undefined };
  /** Thumbnails in the making and their renderer (a worker thread, stopped when idle and by close()). */
  readonly thumbnails: ThumbnailService;
  /** Backups under `<dir>/backups/`, the auto-backup job, and the hand-over of a restore (backups/backup-service.ts). */
  readonly backups: BackupService;
  /** The first-superuser installer's one-time token (admin/installer.ts), issued by `galley serve` while none exists. */
  readonly installer: Installer;
}

export type { Settings } from './admin/settings-model.ts';

export type TokenType = 'auth' | 'file' | 'verification' | 'passwordReset' | 'emailChange';

export interface SecretStore {
  tokenSecret(collectionId: string, type: TokenType): string;
}
