// HooksApp's route, cron, mail, realtime and lifecycle families typed from the schema (checked by sdk/test/types.test.ts's tsc run).
import type { HooksApp } from '../src/index.ts';
import schema from './blog.schema.ts';

export default (app: HooksApp<typeof schema>) => {
  app.routerAdd('GET', '/api/stats/{status}', async (e) => {
    const status: string = e.request.pathValue('status');
    const email: string | undefined = e.auth?.get('email');
    e.json(200, { status, email, posts: await app.countRecords('posts') });
  }, app.requireAuth('users'));
  // @ts-expect-error no collection 'userz'
  app.requireAuth('userz');
  app.routerUse(async (e) => {
    if (!e.hasSuperuserAuth()) return new Response('no', { status: 403 });
    await e.next();
  });
  app.cronAdd('nightly', '0 3 * * *', async () => void (await app.countRecords('posts')));
  // @ts-expect-error the job function comes third
  app.cronAdd('nightly', async () => {});
  app.onMailerRecordPasswordResetSend(async (e) => {
    e.message.subject = `Reset for ${e.record.email}`;
    const token = e.meta['token'];
    if (typeof token === 'string') await e.next();
  }, 'users');
  app.onMailerSend(async (e) => {
    if (e.message.to.length > 0) await e.next();
  });
  app.onRealtimeSubscribeRequest(async (e) => {
    e.subscriptions = e.subscriptions.filter((t) => !t.startsWith('secret'));
    await e.next();
  });
  app.onRealtimeMessageSend(async (e) => {
    const data: string = e.message.data;
    if (data) await e.next();
  });
  app.onServe(async (e) => {
    e.router.add('GET', '/api/url', (r) => r.json(200, { url: e.server.url }));
    await e.next();
  });
  app.onTerminate(async (e) => {
    const restart: boolean = e.isRestart;
    if (!restart) await e.next();
  });
};
