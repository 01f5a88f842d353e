import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactSecrets } from './redact.js';

/** JSON lines on stdout (or `destination`); with telemetry on, each line carries trace_id / span_id. */
export function createLogger(level: string, name = 'wenming', destination?: DestinationStream): Logger {
  const options: LoggerOptions = { name, level, serializers: { err: redactedError } };
  return destination ? pino(options, destination) : pino(options);
}

/** pino's error serializer, with connection-string passwords taken out of the message and stack. */
function redactedError(err: Error): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack'] as const) {
    if (typeof serialized[key] === 'string') serialized[key] = redactSecrets(serialized[key]);
  }
  return serialized;
}
