import { describe, expect, it } from 'vitest';
import { flattenIssues, formatError } from './format-error.ts';

class FakeGalleyError extends Error {
  constructor(message: string, readonly issues: unknown) {
    super(message);
  }
}

describe('formatError', () => {
  it('prints the message, then every issue of the tree with its path', () => {
    const err = new FakeGalleyError('the schema file has 3 problems', {
      'collections/2/fields/4/type': { code: 'validation_invalid_value', message: '"txt" is not a field type; did you mean "text"?' },
      fields: { 2: { name: { code: 'validation_required', message: 'Cannot be blank.' } } },
      'collections/1/name': { code: 'validation_not_unique', message: 'duplicate collection name "posts"' },
    });
    expect(formatError(err)).toEqual([
      'Error: the schema file has 3 problems',
      '  collections/2/fields/4/type: "txt" is not a field type; did you mean "text"?',
      '  fields.2.name: Cannot be blank.',
      '  collections/1/name: duplicate collection name "posts"',
    ]);
  });

  it('does not repeat an issue the message already spells out', () => {
    const err = new FakeGalleyError('a: broken', { a: { code: 'validation_required', message: 'broken' } });
    expect(formatError(err)).toEqual(['Error: a: broken']);
  });

  it('handles plain errors and non-errors', () => {
    expect(formatError(new Error('listen EADDRINUSE'))).toEqual(['Error: listen EADDRINUSE']);
    expect(formatError('boom')).toEqual(['Error: boom']);
  });

  it('flattenIssues ignores values that are neither issues nor trees', () => {
    expect(flattenIssues({ a: 'x' as never, b: { code: 'c', message: 'm' } })).toEqual(['b: m']);
  });
});
