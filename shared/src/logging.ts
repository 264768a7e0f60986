import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * One JSON logger per service. Child loggers carry `requestId` / `correlationId`, so a request
 * can be followed from the gateway through every subgraph and event it causes.
 */
export function createLogger(service: string, env = process.env): Logger {
  return pino({
    name: service,
    level: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'headers.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
