// The platform's own metrics (DESIGN §6). Created on first use: the global meter
// provider is not a proxy, so instruments made before the SDK starts would stay no-ops.
import { type Histogram, type MeterProvider, metrics, trace } from '@opentelemetry/api';
import { projectionStatuses } from '@wenming/readstore';

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

let observedBy: MeterProvider | undefined;

/**
 * `wenming.projection.failed_events` (Prometheus: wenming_projection_failed_events): per
 * projection, the events it could not apply and went past (`wenming projections list
 * --failed`), read from every projection runner of the process at each collection.
 * Once per meter provider, so call it after telemetry started (the platform does).
 */
export function observeProjectionFailures(): void {
  const provider = metrics.getMeterProvider();
  if (observedBy === provider) return;
  observedBy = provider;
  provider
    .getMeter('@wenming/service-kit')
    .createObservableGauge('wenming.projection.failed_events', {
      unit: '{event}',
      description: 'Events a projection could not apply, recorded and passed; retry them after a fix, or rebuild',
    })
    .addCallback((result) => {
      // One value per projection, though tests may run several runners of one projection in a process.
      const byName = new Map(projectionStatuses().map((s) => [s.name, s.failedEvents]));
      for (const [projection, failed] of byName) result.observe(failed, { projection });
    });
}
