import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs, one line per event that matters. On an interactive
 * terminal they are pretty-printed so the demo is readable; pipe the output
 * (or set GATEWARDEN_LOG_FORMAT=json) for machine-readable lines.
 */
export function createLogger(level: string): Logger {
  const pretty = process.env.GATEWARDEN_LOG_FORMAT !== 'json' && (process.env.GATEWARDEN_LOG_FORMAT === 'pretty' || process.stdout.isTTY);
  return pino({
    level,
    base: { app: 'gatewarden' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'app,pid,hostname' } } } : {}),
  });
}
