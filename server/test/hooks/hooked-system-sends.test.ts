// Sends Galley makes on its own go through their hooks like every other (issue 14): the auto-backup failure alert
// through onMailerSend, the OAuth2 redirect's `@oauth2` realtime message through onRealtimeMessageSend.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireBusyMarker } from '../../src/backups/busy-marker.ts';
import { createGalley, upsertSuperuser, type Galley, type HooksApp } from '../../src/index.ts';
import { startTestSmtp } from '../auth/smtp.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { connectRaw } from '../realtime/sse-client.ts';

let galley: Galley;
let dir: string;
const mailSubjects: string[] = [];

function setup(app: HooksApp): void {
  app.onMailerSend(async (e) => {
    mailSubjects.push(e.message.subject);
    e.message.subject = `${e.message.subject} (seen by a hook)`;
    await e.next();
  });
  app.onRealtimeMessageSend(async (e) => {
    if (e.message.name === '@oauth2') e.message.data = JSON.stringify({ ...JSON.parse(e.message.data), seenBy: 'hook' });
    await e.next();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-hooked-sends-'));
  await upsertSuperuser({ dir }, 'root@example.com', 'password123');
  galley = await createGalley({ dir, schema: [], hooks: setup, logger: createTestLogger() });
});

afterAll(async () => {
  await galley?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sends of Galley\'s own go through their hooks', () => {
  it('the auto-backup failure alert passes onMailerSend, which changes its subject', async () => {
    const smtp = await startTestSmtp();
    const marker = acquireBusyMarker(dir, 'backup'); // a backup "already running": the auto-backup fails
    try {
      const settings = galley.core.settings.current();
      await galley.core.settings.save({ ...settings, smtp: { ...settings.smtp, enabled: true, host: '127.0.0.1', port: smtp.port, tls: false } });
      await galley.core.backups.runAutoBackup();
      const mail = await smtp.waitFor((m) => m.to.includes('root@example.com'));
      expect(mail.subject).toBe('Autobackup failure (seen by a hook)');
      expect(mailSubjects).toEqual(['Autobackup failure']);
    } finally {
      marker.release();
      await smtp.close();
    }
  });

  it("the OAuth2 redirect's @oauth2 message passes onRealtimeMessageSend, which changes its data", async () => {
    const client = await connectRaw(galley);
    try {
      expect((await client.subscribe(['@oauth2'])).status).toBe(204);
      const res = await galley.handle(new Request(`http://127.0.0.1:8090/api/oauth2-redirect?state=${client.clientId}&code=abc`));
      expect(res.status).toBe(307);
      const frame = await client.waitFor((f) => f.event === '@oauth2');
      expect(JSON.parse(frame.data)).toEqual({ state: client.clientId, code: 'abc', seenBy: 'hook' });
    } finally {
      await client.close();
    }
  });
});
