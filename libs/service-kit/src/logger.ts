import pino, { type Logger } from 'pino';

export function createLogger(level: string, name = 'wenming'): Logger {
  return pino({ name, level });
}
