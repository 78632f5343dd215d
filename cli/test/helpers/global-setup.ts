import { buildBinary } from '../../../scripts/build.ts';

/** Vitest global setup of the e2e project: never test a binary older than the source. */
export default async function setup(): Promise<void> {
  // GALLEY_BINARY names a binary built elsewhere: test that one as it is
  if (process.env.GALLEY_BINARY) return;
  await buildBinary();
}
