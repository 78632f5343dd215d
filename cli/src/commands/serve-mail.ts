/**
 * `galley serve` flags for outgoing mail and the app's identity in it: SMTP server, sender and app URL.
 * They become createGalley's `settings` overrides, so they win over the stored settings and over the
 * GALLEY_SMTP_* / GALLEY_SENDER_* / GALLEY_APP_* environment (which the server reads by itself).
 */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';

export interface MailFlags {
  smtpHost?: string;
  smtpPort?: number;
  smtpUser?: string;
  smtpPasswordFile?: string;
  smtpTls?: boolean;
  senderAddress?: string;
  senderName?: string;
  appName?: string;
  appUrl?: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new InvalidArgumentError('use a port number from 1 to 65535.');
  return port;
}

/** The password is read from a file (never a flag: flags show in `ps` and shell history); one trailing newline is dropped. */
function readPasswordFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
}

export function addMailOptions(command: Command): Command {
  return command
    .addOption(new Option('--smtp-host <host>', 'SMTP server for auth mail (turns SMTP on; env GALLEY_SMTP_HOST)'))
    .addOption(new Option('--smtp-port <port>', 'SMTP port (env GALLEY_SMTP_PORT; default 587)').argParser(parsePort))
    .addOption(new Option('--smtp-user <name>', 'SMTP user name (env GALLEY_SMTP_USERNAME)'))
    .addOption(new Option('--smtp-password-file <file>', 'file holding the SMTP password (env GALLEY_SMTP_PASSWORD)').argParser(readPasswordFile))
    .addOption(new Option('--smtp-tls', 'TLS from the first byte, as on port 465 (default: STARTTLS when offered; env GALLEY_SMTP_TLS)'))
    .addOption(new Option('--sender-address <email>', 'From address of auth mail (env GALLEY_SENDER_ADDRESS)'))
    .addOption(new Option('--sender-name <name>', 'From name of auth mail (env GALLEY_SENDER_NAME)'))
    .addOption(new Option('--app-name <name>', 'the app name in mail templates (env GALLEY_APP_NAME)'))
    .addOption(new Option('--app-url <url>', 'the public URL links in mails point to (env GALLEY_APP_URL)'));
}

/** The settings overrides the flags ask for (only what was given); the password arrives already read. */
export function readMailSettings(flags: MailFlags): { smtp?: Record<string, unknown>; meta?: Record<string, unknown> } {
  const smtp: Record<string, unknown> = {};
  if (flags.smtpHost !== undefined) Object.assign(smtp, { host: flags.smtpHost, enabled: true });
  if (flags.smtpPort !== undefined) smtp['port'] = flags.smtpPort;
  if (flags.smtpUser !== undefined) smtp['username'] = flags.smtpUser;
  if (flags.smtpPasswordFile !== undefined) smtp['password'] = flags.smtpPasswordFile;
  if (flags.smtpTls) smtp['tls'] = true;
  const meta: Record<string, unknown> = {};
  if (flags.senderAddress !== undefined) meta['senderAddress'] = flags.senderAddress;
  if (flags.senderName !== undefined) meta['senderName'] = flags.senderName;
  if (flags.appName !== undefined) meta['appName'] = flags.appName;
  if (flags.appUrl !== undefined) meta['appURL'] = flags.appUrl;
  return { ...(Object.keys(smtp).length > 0 ? { smtp } : {}), ...(Object.keys(meta).length > 0 ? { meta } : {}) };
}
