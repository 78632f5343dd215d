/**
 * Outgoing mail over SMTP, through nodemailer (a well-kept client instead of hand-written SMTP). One
 * connection per message: auth mail is rare, and a fresh transport always sees the current settings.
 * nodemailer is imported at the first send (about 50 ms of CPU and 19 MB in the binary that a start need not pay).
 */

export interface MailAddress {
  name?: string;
  address: string;
}

export interface MailMessage {
  from: MailAddress;
  to: MailAddress[];
  subject: string;
  html: string;
  /** plain-text alternative; derived from `html` when left out */
  text?: string;
}

/** PocketBase's `smtp` settings. */
export interface SmtpConfig {
  enabled: boolean;
  host: string;
  port: number;
  username: string;
  password: string;
  /** "PLAIN" (default) or "LOGIN" */
  authMethod: string;
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it */
  tls: boolean;
  /** EHLO name; "localhost" when empty */
  localName: string;
}

/** A readable plain-text copy of a simple HTML mail body. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(style|head)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, label: string) => `${label.replace(/<[^>]+>/g, '').trim()}: ${href}`)
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h\d|li|tr)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function formatAddress(a: MailAddress): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

/** Control characters (an ANSI escape in a user's name) would drive the terminal; they print as `\u…`. */
function stripTerminalControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One message as plain text for a terminal, framed so it stands out from log lines: headers, then the text
 * body (links as `Label: URL`, each on its own line so it can be copied whole).
 */
export function formatMailForConsole(message: MailMessage, heading: string): string {
  const rule = '─'.repeat(72);
  const body = message.text ?? htmlToText(message.html);
  const lines = [
    `┌${rule}`,
    `│ ${heading}`,
    `├${rule}`,
    `To:      ${message.to.map(formatAddress).join(', ')}`,
    `From:    ${formatAddress(message.from)}`,
    `Subject: ${message.subject}`,
    '',
    body,
    `└${rule}`,
  ];
  return stripTerminalControls(lines.join('\n')) + '\n';
}

/** Send one message; rejects with the server's (or the connection's) error. */
export async function sendMail(smtp: SmtpConfig, message: MailMessage): Promise<void> {
  if (!smtp.enabled) throw new Error('SMTP is not enabled in the settings, so no mail can be sent');
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls,
    name: smtp.localName || 'localhost',
    auth: smtp.username !== '' ? { user: smtp.username, pass: smtp.password } : undefined,
    authMethod: smtp.authMethod || 'PLAIN',
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  try {
    await transport.sendMail({
      from: message.from,
      to: message.to,
      subject: message.subject,
      html: message.html,
      text: message.text ?? htmlToText(message.html),
    });
  } finally {
    transport.close();
  }
}
