// The binary, as a user runs it: `serve --dev` without SMTP prints each auth mail to stdout, and the printed link
// (pointing at the address serve listens on) opens /_/, whose page and assets carry a strict CSP; the token in it
// verifies the account. Without --dev the mail is not printed (SMTP is off: it is dropped, and the log says so).
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfServiceUsers } from '../../server/test/helpers/users-collection.ts';
import { startBinary, type RunningBinary } from './helpers/binary.ts';

const schema = [selfServiceUsers()];

async function waitForOutput(server: RunningBinary, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 400; i++) {
    const found = pattern.exec(server.output()[stream]);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${stream} never matched ${pattern}:\n${server.output()[stream]}`);
}

describe('serve --dev without SMTP', () => {
  let server: RunningBinary;

  beforeAll(async () => {
    server = await startBinary({ schema, args: ['--dev'] });
  });
  afterAll(() => server?.stop());

  it('/_/ and its script and stylesheet answer with the CSP', async () => {
    for (const [path, type] of [['/_/', 'text/html'], ['/_/index.html', 'text/html'], ['/_/assets/auth-pages.js', 'text/javascript'], ['/_/assets/auth-pages.css', 'text/css']] as const) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      expect((await res.text()).length).toBeGreaterThan(100);
    }
  });

  it('prints the verification mail with a link to this server whose token verifies the account', async () => {
    const pb = new PocketBase(server.url);
    await pb.collection('users').create({ email: 'dev@example.com', password: 'password123', passwordConfirm: 'password123' });
    expect(await pb.collection('users').requestVerification('dev@example.com')).toBe(true);
    const printed = await waitForOutput(server, 'stdout', /┌─+\n│ galley --dev: no SMTP configured[^\n]*\n├─+\nTo: +dev@example\.com\n[\s\S]*?└─+\n/);
    expect(printed[0]).toContain('Subject: Verify your Acme email');
    const link = /Verify: (\S+)\n/.exec(printed[0])?.[1] ?? '';
    expect(link.startsWith(`${server.url}/_/#/auth/confirm-verification/`), link).toBe(true);
    // the dashboard at /_/ hands #/auth/… links to the confirmation page at /_/auth.html (dashboard/shell.e2e.test.ts)
    const page = await fetch(new URL('auth.html', link).href);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('./assets/auth-pages.js');
    expect(await pb.collection('users').confirmVerification(link.split('/').pop()!)).toBe(true);
    const auth = await pb.collection('users').authWithPassword('dev@example.com', 'password123');
    expect(auth.record['verified']).toBe(true);
  });
});

describe('serve without --dev and without SMTP', () => {
  it('prints no mail; the log says it was not sent', async () => {
    const server = await startBinary({ schema });
    try {
      const pb = new PocketBase(server.url);
      await pb.collection('users').create({ email: 'prod@example.com', password: 'password123', passwordConfirm: 'password123' });
      expect(await pb.collection('users').requestVerification('prod@example.com')).toBe(true);
      await waitForOutput(server, 'stderr', /auth mail not sent.*SMTP is not enabled/);
      expect(server.output().stdout).not.toContain('prod@example.com');
    } finally {
      await server.stop();
    }
  });
});
