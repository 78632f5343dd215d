// @galley/sdk's typed client against the compiled binary: list/view/create/update/delete with expand and fields,
// auth, realtime and files, and where/filter-tag filters equal to hand-written ones (sdk/test/client-suite.ts).
import schema from '../../sdk/test-types/blog.schema.ts';
import { describeTypedClient } from '../../sdk/test/client-suite.ts';
import { startBinary } from './helpers/binary.ts';

describeTypedClient('compiled binary', async () => {
  const server = await startBinary({ schema });
  return { url: server.url, stop: () => server.stop() };
});
