import { describe, expect, it } from 'vitest';
import { splitStartArgs } from './start-args.ts';

describe('npm start arguments', () => {
  it('--force goes to the build, never to galley serve (which would reject it as an unknown flag)', () => {
    expect(splitStartArgs(['--force'])).toEqual({ force: true, serveArgs: [] });
    expect(splitStartArgs(['--http', '0.0.0.0:8090', '--force', '--dev'])).toEqual({ force: true, serveArgs: ['--http', '0.0.0.0:8090', '--dev'] });
    expect(splitStartArgs(['--dev'])).toEqual({ force: false, serveArgs: ['--dev'] });
  });
});
