// The SDK's browser bundle in Chromium (Debian's /usr/bin/chromium via playwright-core): a page served from a
// static server subscribes to Galley (another origin, so CORS is part of the test) and sees events.
// Skipped with a message when /usr/bin/chromium is missing, except under CI=true, where that is a failure.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/test-galley.ts';
import { startRealtimeWorld, type RealtimeWorld } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const required = process.env['CI'] === 'true';
if (!available && !required) console.warn(`browser realtime test skipped: ${CHROMIUM} is missing (apt-get install chromium); under CI=true it fails`);

const PAGE = `<!doctype html><meta charset="utf-8"><title>realtime</title>
<script src="/pocketbase.umd.js"></script>
<script>
  window.events = [];
  window.start = async (url, token) => {
    const pb = new PocketBase(url);
    if (token) pb.authStore.save(token, null);
    await pb.collection('posts').subscribe('*', (e) => window.events.push({ action: e.action, title: e.record.title }));
    return pb.realtime.clientId;
  };
</script>`;

let w: RealtimeWorld;
let galleyUrl = '';
let pageServer: Server;
let pageUrl = '';
let browser: Browser | undefined;

describe.skipIf(!available && !required)(`SDK realtime in Chromium (skipped when ${CHROMIUM} is missing, unless CI=true)`, () => {
  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing: CI must install it (.ci/run: apt-get install chromium)`);
    w = await startRealtimeWorld();
    ({ url: galleyUrl } = await w.t.galley.listen('127.0.0.1:0'));
    const bundle = readFileSync(join(REPO, 'node_modules', 'pocketbase', 'dist', 'pocketbase.umd.js'));
    pageServer = createServer((req, res) => {
      if (req.url === '/pocketbase.umd.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    const address = pageServer.address();
    pageUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: false });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (pageServer ? pageServer.close(() => resolve()) : resolve()));
    await w?.t.close();
  });

  it('a guest page and a signed-in page each see what they may', async () => {
    const guest = await browser!.newPage();
    const alice = await browser!.newPage();
    await guest.goto(pageUrl);
    await alice.goto(pageUrl);
    const guestId = await guest.evaluate(([url]) => (window as any).start(url, null), [galleyUrl]);
    const aliceId = await alice.evaluate(([url, token]) => (window as any).start(url, token), [galleyUrl, w.alice.token]);
    expect(guestId).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(aliceId).not.toBe(guestId);
    await w.create('posts', { title: 'draft of alice', status: 'draft', author: w.alice.id });
    await w.create('posts', { title: 'for everyone', status: 'published', author: w.bob.id });
    await alice.waitForFunction(() => (window as any).events.length >= 2);
    await guest.waitForFunction(() => (window as any).events.length >= 1);
    expect(await alice.evaluate(() => (window as any).events)).toEqual([
      { action: 'create', title: 'draft of alice' },
      { action: 'create', title: 'for everyone' },
    ]);
    // the published post came after the draft: had the guest been sent the draft, it would be first
    expect(await guest.evaluate(() => (window as any).events)).toEqual([{ action: 'create', title: 'for everyone' }]);
  }, 60_000);
});
