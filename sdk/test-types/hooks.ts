// HooksApp<typeof schema>: a hooks file's records typed from the schema (checked by sdk/test/types.test.ts's tsc run).
import { BadRequestError, ValidationError, type HooksApp } from '../src/index.ts';
import schema from './blog.schema.ts';

export default (app: HooksApp<typeof schema>) => {
  app.onRecordCreate(async (e) => {
    const title: string = e.record.title;
    e.record.set('slug', title.toLowerCase());
    const status: 'draft' | 'published' = e.record.get('status');
    // @ts-expect-error posts has no field 'nope'
    e.record.set('nope', 1);
    // @ts-expect-error a slug is text
    e.record.set('slug', 3);
    if (status === 'draft') await e.next();
  }, 'posts');
  // @ts-expect-error no collection 'postz'
  app.onRecordCreate(async (e) => e.next(), 'postz');
  app.onRecordAfterUpdateSuccess(async (e) => {
    const tags: string[] = e.record.get('tags');
    const author = await app.findRecordById('users', e.record.author);
    const name: string = author.name;
    app.logger.info('published', { tags, name, count: await app.countRecords('posts', 'status = {:s}', { s: 'published' }) });
    await e.next();
  }, 'posts');
  app.onRecordValidate(async (e) => {
    if (e.record.id === '') throw new app.BadRequestError('Failed.', { title: new app.ValidationError('validation_x', 'x') });
    throw new BadRequestError('Failed.', { title: new ValidationError('validation_x', 'x') });
  });
  app.onRecordCreateRequest(async (e) => {
    if (!e.auth) return e.json(403, { message: 'sign in first' });
    await e.next();
  });
};
