import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Patient data (labels, values) never goes into a log line: log ids and counts only.
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { svc: 'infusion-monitor' }, redact: ['req.headers.cookie', 'req.headers.authorization'] });
}
