/** A small leveled logger writing one line per entry to stderr; tests pass their own sink. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(
  minLevel: LogLevel,
  sink: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const write = (level: LogLevel, message: string, data?: Record<string, unknown>): void => {
    if (ORDER[level] < ORDER[minLevel]) return;
    const extra = data && Object.keys(data).length > 0 ? ' ' + JSON.stringify(data) : '';
    sink(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${extra}`);
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}
