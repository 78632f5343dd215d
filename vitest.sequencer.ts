// Shared by the vitest configs: the files known to run longest start first. Vitest orders by the durations in its
// results cache, but CI runs a clean clone with no cache, and then it orders by file size: the slowest files are
// small (a loop over a short fixture) and ran last, so one worker ran alone for minutes at the end of a stage.
// Measured per file from the stages' JSON reports; a file missing from a stage is passed over. The rest keep
// vitest's order.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOW_FIRST = [
  'server/test/differential/rules.differential.test.ts',
  'server/test/auth/enumeration-timing.test.ts',
  'server/test/realtime/realtime.differential.test.ts',
  'server/test/auth/login-flood.test.ts',
  'server/test/types-module/types-module.test.ts',
  'server/test/admin/auth-pages.chromium.test.ts',
  'server/test/sdk-surface.test.ts',
  'server/src/db/read-aside.bun.test.ts',
  'server/test/bad-input.routes.test.ts',
  'server/test/realtime/socket.test.ts',
  'server/test/auth/rate-limit.routes.test.ts',
  'server/test/migrate/property.test.ts',
];

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const at = SLOW_FIRST.findIndex((path) => spec.moduleId.endsWith(`/${path}`));
      return at < 0 ? SLOW_FIRST.length : at;
    };
    // Array.prototype.sort is stable: files off the list keep vitest's order
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
