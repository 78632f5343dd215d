// appURL (the base of mailed links) left at PocketBase's default follows the address listen() answers; a value
// from the environment, createGalley's settings (serve's flags) or a saved change wins, also across restarts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAuthGalley, type AuthTestGalley } from '../auth/harness.ts';
import { superuserToken } from '../helpers/test-galley.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'galley-appurl-'));
  dirs.push(dir);
  return dir;
};

async function appUrlOf(t: AuthTestGalley, token: string): Promise<string> {
  const res = await t.call('GET', '/api/settings', { auth: token });
  expect(res.status, res.text).toBe(200);
  return res.json.meta.appURL;
}

describe('appURL', () => {
  it('left at the default, it is the listen address once listening (and after a restart, the new one)', async () => {
    const dir = freshDir();
    let t = await startAuthGalley([], { dir });
    const token = await superuserToken(t);
    expect(await appUrlOf(t, token)).toBe('http://localhost:8090');
    const { url } = await t.galley.listen('127.0.0.1:0');
    expect(await appUrlOf(t, token)).toBe(url);

    // a settings form saves everything it read back, the listen address included: that is not a choice of URL
    const saved = await t.call('PATCH', '/api/settings', { auth: token, body: { meta: { appName: 'Renamed', appURL: url } } });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.json.meta.appURL).toBe(url);
    await t.close();

    t = await startAuthGalley([], { dir });
    const { url: next } = await t.galley.listen('127.0.0.1:0');
    expect(next).not.toBe(url);
    const settings = await t.call('GET', '/api/settings', { auth: await superuserToken(t) });
    expect(settings.json.meta).toMatchObject({ appName: 'Renamed', appURL: next });
    await t.close();
  });

  it('a listener on every interface gives localhost links', async () => {
    const t = await startAuthGalley([], { dir: freshDir() });
    const { url } = await t.galley.listen('0.0.0.0:0');
    const port = new URL(url).port;
    expect(await appUrlOf(t, await superuserToken(t))).toBe(`http://localhost:${port}`);
    await t.close();
  });

  it('GALLEY_APP_URL and the settings option (serve --app-url) win over the listen address', async () => {
    const byEnv = await startAuthGalley([], { dir: freshDir(), env: { GALLEY_APP_URL: 'http://localhost:8090' } });
    await byEnv.galley.listen('127.0.0.1:0');
    expect(await appUrlOf(byEnv, await superuserToken(byEnv))).toBe('http://localhost:8090');
    await byEnv.close();

    const byOption = await startAuthGalley([], { dir: freshDir(), settings: { meta: { appURL: 'https://app.example.com' } } });
    await byOption.galley.listen('127.0.0.1:0');
    expect(await appUrlOf(byOption, await superuserToken(byOption))).toBe('https://app.example.com');
    await byOption.close();
  });

  it('a saved appURL of its own wins, now and after a restart', async () => {
    const dir = freshDir();
    let t = await startAuthGalley([], { dir });
    const token = await superuserToken(t);
    await t.galley.listen('127.0.0.1:0');
    const saved = await t.call('PATCH', '/api/settings', { auth: token, body: { meta: { appURL: 'https://public.example.com' } } });
    expect(saved.json.meta.appURL).toBe('https://public.example.com');
    await t.close();
    t = await startAuthGalley([], { dir });
    await t.galley.listen('127.0.0.1:0');
    expect(await appUrlOf(t, await superuserToken(t))).toBe('https://public.example.com');
    await t.close();
  });
});
