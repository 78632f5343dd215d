import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.ts';
import { addMailOptions, readMailSettings, type MailFlags } from './serve-mail.ts';

const dir = mkdtempSync(join(tmpdir(), 'galley-cli-mail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parse(...args: string[]): MailFlags {
  const command = addMailOptions(new Command('serve').exitOverride());
  command.parse(args, { from: 'user' });
  return command.opts<MailFlags>();
}

describe('serve mail flags', () => {
  it('map onto the smtp and meta settings; a host turns SMTP on; the password comes from a file', () => {
    const file = join(dir, 'smtp-password');
    writeFileSync(file, 's3cret pass\n');
    const settings = readMailSettings(
      parse(
        '--smtp-host', 'mail.example.com', '--smtp-port', '465', '--smtp-user', 'mailer', '--smtp-password-file', file, '--smtp-tls',
        '--sender-address', 'noreply@example.com', '--sender-name', 'Example', '--app-name', 'Ex', '--app-url', 'https://ex.example.com',
      ),
    );
    expect(settings).toEqual({
      smtp: { host: 'mail.example.com', enabled: true, port: 465, username: 'mailer', password: 's3cret pass', tls: true },
      meta: { senderAddress: 'noreply@example.com', senderName: 'Example', appName: 'Ex', appURL: 'https://ex.example.com' },
    });
  });

  it('no flags, no overrides (stored settings and the environment stay in force)', () => {
    expect(readMailSettings(parse())).toEqual({});
  });

  it.each([
    ['a port out of range', ['serve', '--smtp-port', '70000'], "error: option '--smtp-port <port>' argument '70000' is invalid. use a port number from 1 to 65535."],
    ['a port that is not a number', ['serve', '--smtp-port', 'smtp'], "error: option '--smtp-port <port>' argument 'smtp' is invalid."],
    ['a missing password file', ['serve', '--smtp-password-file', '/nonexistent/pw'], "error: option '--smtp-password-file <file>' argument '/nonexistent/pw' is invalid. cannot read it: ENOENT."],
  ])('%s is a usage error (exit 2) before anything starts', async (_name, args, firstLine) => {
    let err = '';
    const code = await runCli(['node', 'galley', ...args], { writeOut: () => {}, writeErr: (t) => { err += t; } });
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toContain(firstLine);
  });

  it('serve --help lists the flags', async () => {
    let out = '';
    await runCli(['node', 'galley', 'serve', '--help'], { writeOut: (t) => { out += t; }, writeErr: () => {} });
    for (const flag of ['--smtp-host', '--smtp-port', '--smtp-user', '--smtp-password-file', '--smtp-tls', '--sender-address', '--sender-name', '--app-name', '--app-url']) {
      expect(out).toContain(flag);
    }
  });
});
