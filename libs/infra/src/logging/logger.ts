import pino, { type Logger, type LoggerOptions } from 'pino';

/**
 * Paths that may hold secrets or personal data. Log lines carry ids, codes and counts only;
 * these paths are a second line of defence should a whole object ever reach a log call.
 */
export const REDACTED_PATHS = [
  'secret',
  '*.secret',
  'password',
  '*.password',
  'email',
  '*.email',
  'controller',
  '*.controller',
  'username',
  '*.username',
  'authorization',
  'req.headers',
  'headers',
  '*.headers',
  'body',
  '*.body',
];

export function loggerOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
}

export function createLogger(service: string, level = 'info'): Logger {
  return pino(loggerOptions(service, level));
}
