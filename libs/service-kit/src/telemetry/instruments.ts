// The platform's own metrics (DESIGN §6). Created on first use: the global meter
// provider is not a proxy, so instruments made before the SDK starts would stay no-ops.
import { type Histogram, metrics, trace } from '@opentelemetry/api';

export const tracer = trace.getTracer('@wenming/service-kit');

let instruments: { commandDuration: Histogram; appendDuration: Histogram } | undefined;

export function serviceKitInstruments(): { commandDuration: Histogram; appendDuration: Histogram } {
  if (instruments) return instruments;
  const meter = metrics.getMeter('@wenming/service-kit');
  instruments = {
    commandDuration: meter.createHistogram('wenming.command.duration', {
      unit: 's',
      description: 'Time to handle a command: read, decide, append (retries included)',
    }),
    appendDuration: meter.createHistogram('wenming.eventstore.append.duration', {
      unit: 's',
      description: 'Time of one event store append',
    }),
  };
  return instruments;
}
