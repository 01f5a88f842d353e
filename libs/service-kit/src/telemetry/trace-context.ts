// The active span as a W3C traceparent, written into event metadata so the trace
// continues through the event store, the Kafka relay and every consumer. Built from
// the span context directly, so it works whichever propagator is configured.
import { isSpanContextValid, trace } from '@opentelemetry/api';

export function activeTraceparent(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return undefined;
  return `00-${context.traceId}-${context.spanId}-${context.traceFlags.toString(16).padStart(2, '0')}`;
}
