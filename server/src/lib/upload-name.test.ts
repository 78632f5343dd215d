import { describe, expect, it } from 'vitest';
import { extractExtension, normalizeUploadName, snakecaseName } from './upload-name.ts';

const RAND = '[a-z0-9]{10}';
const shape = (name: string) => new RegExp('^' + name.replace('{r}', RAND).replace(/\./g, '\\.') + '$');

describe('normalizeUploadName (PocketBase normalizeName)', () => {
  it.each([
    ['test.txt', '', 'test_{r}.txt'],
    ['Hello World.PNG', '', 'hello_world_{r}.PNG'],
    ['myFileName.jpg', '', 'my_file_name_{r}.jpg'],
    ['archive.tar.gz', '', 'archive_{r}.tar.gz'],
    ['a.b.tar.gz', '', 'a_b_{r}.tar.gz'],
    ['noext', '.png', 'noext_{r}.png'],
    ['noext', '', 'noext_{r}'],
    ['x.png', '', `x${RAND}_{r}.png`],
    ['.hidden', '', `${RAND}_{r}.hidden`],
    ['café crème.txt', '', 'caf_cr_me_{r}.txt'],
  ])('%s', (input, detected, expected) => {
    expect(normalizeUploadName(input, detected)).toMatch(shape(expected));
  });

  it.each(['../x', '..%2F..%2Fetc%2Fpasswd', '/etc/passwd', 'a\\..\\b.txt', 'nul\u0000.txt', '../../.././', '....', '.', '..', 'a/../../b.png', 'x'.repeat(5000) + '.png'])(
    'never escapes the folder: %j',
    (input) => {
      const name = normalizeUploadName(input, '');
      expect(name).not.toMatch(/[/\\\u0000]/);
      expect(name.startsWith('.')).toBe(false);
      expect(name).not.toContain('..');
      expect(name.length).toBeLessThanOrEqual(150);
      expect(name).toMatch(new RegExp(`_${RAND}(\\.|$)`));
    },
  );

  it('a random part every time', () => {
    expect(normalizeUploadName('a.txt', '')).not.toBe(normalizeUploadName('a.txt', ''));
  });

  it('extension and snakecase helpers', () => {
    expect(extractExtension('test.a.tar.gz')).toBe('.tar.gz');
    expect(extractExtension('.hidden')).toBe('.hidden');
    expect(extractExtension('plain')).toBe('');
    expect(snakecaseName('someHTTPThing')).toBe('some_httpthing');
    expect(snakecaseName('__a--b__')).toBe('a_b');
  });
});
