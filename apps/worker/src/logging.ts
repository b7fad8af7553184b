import { DefaultLogger, type LogLevel } from '@temporalio/worker';
import { type Logger } from 'pino';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Temporal's runtime and workflow logs, as structured JSON through the service's pino logger. */
export function temporalLogger(logger: Logger, level: LogLevel = 'INFO'): DefaultLogger {
  return new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
    // Workflow and activity metadata carries ids and types only; payloads never reach a logger.
    logger[LEVELS[entryLevel]]({ temporal: meta ?? {} }, message);
  });
}
