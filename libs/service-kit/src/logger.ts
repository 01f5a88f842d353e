import pino, { type DestinationStream, type Logger } from 'pino';

/** JSON lines on stdout (or `destination`); with telemetry on, each line carries trace_id / span_id. */
export function createLogger(level: string, name = 'wenming', destination?: DestinationStream): Logger {
  return destination ? pino({ name, level }, destination) : pino({ name, level });
}
