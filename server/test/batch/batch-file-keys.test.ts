// Files of a multipart batch under keys that name Object.prototype members (`requests.0.__proto__`,
// `requests.0.toString`): read as any other key a record does not take (ignored), never a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchGalley, type BatchGalley } from './harness.ts';

let t: BatchGalley;
beforeAll(async () => {
  t = await startBatchGalley();
});
afterAll(async () => {
  await t?.close();
});

describe('multipart batch file keys', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('a file under requests.0.%s is ignored and the batch runs', async (key) => {
    const form = new FormData();
    form.append('@jsonPayload', JSON.stringify({ requests: [{ method: 'POST', url: '/api/collections/authors/records', body: { name: `by-${key}` } }] }));
    form.append(`requests.0.${key}`, new File([new Uint8Array([1, 2, 3])], 'a.txt'));
    const res = await t.call('POST', '/api/batch', { body: form });
    expect(res.status, res.text).toBe(200);
    expect(res.json[0].body.name).toBe(`by-${key}`);
    expect(await t.rows('authors', `name = 'by-${key}'`)).toHaveLength(1);
  });
});
