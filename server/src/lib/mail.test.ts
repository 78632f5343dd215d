import { describe, expect, it } from 'vitest';
import { htmlToText, sendMail } from './mail.ts';

describe('mail', () => {
  it('derives a plain-text copy that keeps link targets', () => {
    const html = '<html><head><style>p{}</style></head><body><p>Hello &amp; welcome,</p><p><a class="btn" href="https://x.test/a?b=1&amp;c=2">Verify</a></p><p>Thanks,<br/>Team</p></body></html>';
    expect(htmlToText(html)).toBe('Hello & welcome,\nVerify: https://x.test/a?b=1&c=2\nThanks,\nTeam');
  });

  it('refuses to send while SMTP is off', async () => {
    const smtp = { enabled: false, host: 'h', port: 25, username: '', password: '', authMethod: '', tls: false, localName: '' };
    await expect(sendMail(smtp, { from: { address: 'a@x.test' }, to: [{ address: 'b@x.test' }], subject: 's', html: 'h' })).rejects.toThrow(/not enabled/);
  });
});
