// The NodeSDK path (taken when exporting, or when a metric reader is given): the
// command handler's metrics and spans, and the switch that turns it all off.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { metrics, tracing } from '@opentelemetry/sdk-node';
import { startTelemetry } from './sdk.js';

class TestReader extends metrics.MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

assert.equal(await startTelemetry({ env: { OTEL_SDK_DISABLED: 'true' } }), undefined, 'OTEL_SDK_DISABLED=true starts nothing');

const spans = new tracing.InMemorySpanExporter();
const reader = new TestReader();
const telemetry = await startTelemetry({ env: {}, spanExporter: spans, metricReader: reader, serviceName: 'telemetry-spec' });
const { SqliteEventStore } = await import('@wenming/eventstore');
const { handleCommand } = await import('../commands/handle-command.js');
const { shutdownTelemetry } = await import('./handle.js');

after(() => shutdownTelemetry());

const decider = {
  initialState: () => 0,
  decide: (command: { type: 'Add'; data: { n: number } }) => [{ type: 'Added', data: { n: command.data.n } }],
  evolve: (state: number, event: { type: string; data: { n: number } }) => state + event.data.n,
};

describe('telemetry with the NodeSDK', () => {
  it('records command and append durations, and a command span whose id the events carry', async () => {
    assert.ok(telemetry);
    const store = new SqliteEventStore({ path: ':memory:' });
    try {
      await handleCommand({
        store,
        streamId: 'tally-1',
        decider,
        command: { type: 'Add', data: { n: 2 } },
        idempotencyKey: 'k',
        metadata: { actor: { id: 'a', role: 'office' }, unitId: 'u' },
      });
      const events = [];
      for await (const e of store.readStream('tally-1')) events.push(e);
      const [event] = events;
      // The processor exports as soon as it may: at once on Node 20, after the SDK's
      // resource detection settles on Node 24. So wait for the span, within a bound.
      let command: tracing.ReadableSpan | undefined;
      for (const started = Date.now(); !command && Date.now() - started < 5000; await new Promise((r) => setTimeout(r, 10))) {
        [command] = spans.getFinishedSpans().filter((s) => s.name === 'command Add');
      }
      assert.ok(command, 'the command span was exported');
      assert.equal(event?.metadata.traceparent, `00-${command.spanContext().traceId}-${command.spanContext().spanId}-01`);
      assert.equal(command.resource.attributes['service.name'], 'telemetry-spec');
    } finally {
      await store.close();
    }
    const { resourceMetrics } = await reader.collect();
    const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
    assert.ok(names.includes('wenming.command.duration'), names.join(', '));
    assert.ok(names.includes('wenming.eventstore.append.duration'));
  });
});
