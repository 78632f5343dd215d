// The typed client against Galley in library mode (createGalley on a socket); the suite is sdk/test/client-suite.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGalley } from '../../server/src/index.ts';
import { createTestLogger } from '../../server/test/helpers/test-logger.ts';
import schema from '../test-types/blog.schema.ts';
import { describeTypedClient } from './client-suite.ts';

describeTypedClient('library mode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'galley-sdk-'));
  const galley = await createGalley({ dir, schema, logger: createTestLogger() });
  const { url } = await galley.listen('127.0.0.1:0');
  return {
    url,
    async stop() {
      await galley.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
