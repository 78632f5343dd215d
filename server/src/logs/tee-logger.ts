import type { Logger } from '../lib/log.ts';
import { LOG_LEVEL } from './log-entry.ts';
import type { LogService } from './log-service.ts';

/**
 * The app logger with its warnings and errors (mail failures, unclassified errors, stalled reloads) also
 * written to `_logs`, with `data.type` "app" beside the data they carry; debug and info stay on stderr.
 */
// `type` first as in request entries, and always "app" whatever the data carried
const withAppType = (d?: Record<string, unknown>): Record<string, unknown> => Object.assign({ type: 'app' }, d, { type: 'app' });

export function teeLogger(base: Logger, logs: Pick<LogService, 'write'>): Logger {
  return {
    debug: (m, d) => base.debug(m, d),
    info: (m, d) => base.info(m, d),
    warn(m, d) {
      base.warn(m, d);
      logs.write({ level: LOG_LEVEL.warn, message: m, data: withAppType(d) });
    },
    error(m, d) {
      base.error(m, d);
      logs.write({ level: LOG_LEVEL.error, message: m, data: withAppType(d) });
    },
  };
}
