import { describe, expect, it } from 'vitest';
import { formatMailForConsole, htmlToText, sendMail } from './mail.ts';

describe('mail', () => {
  it('derives a plain-text copy that keeps link targets', () => {
    const html = '<html><head><style>p{}</style></head><body><p>Hello &amp; welcome,</p><p><a class="btn" href="https://x.test/a?b=1&amp;c=2">Verify</a></p><p>Thanks,<br/>Team</p></body></html>';
    expect(htmlToText(html)).toBe('Hello & welcome,\nVerify: https://x.test/a?b=1&c=2\nThanks,\nTeam');
  });

  it('refuses to send while SMTP is off', async () => {
    const smtp = { enabled: false, host: 'h', port: 25, username: '', password: '', authMethod: '', tls: false, localName: '' };
    await expect(sendMail(smtp, { from: { address: 'a@x.test' }, to: [{ address: 'b@x.test' }], subject: 's', html: 'h' })).rejects.toThrow(/not enabled/);
  });

  it('frames a mail for the terminal: headers, the text body with whole links, control characters escaped', () => {
    const out = formatMailForConsole(
      { from: { name: 'Support', address: 's@x.test' }, to: [{ address: 'b@x.test' }], subject: 'Hi\u001b[2J', html: '<p>Go</p><p><a href="https://x.test/_/#/auth/confirm-verification/a.b.c">Verify</a></p>' },
      'printed, not sent',
    );
    const lines = out.split('\n');
    expect(lines[1]).toBe('│ printed, not sent');
    expect(lines.slice(3, 7)).toEqual(['To:      b@x.test', 'From:    Support <s@x.test>', 'Subject: Hi\\u001b[2J', '']);
    expect(lines).toContain('Verify: https://x.test/_/#/auth/confirm-verification/a.b.c');
    expect(out.endsWith('─\n')).toBe(true);
    expect(out).not.toContain('\u001b');
  });
});
