// `node --import tsx --import @wenming/service-kit/telemetry/register main.ts`:
// starts OpenTelemetry before the application imports anything it instruments.
// With OTEL_SDK_DISABLED=true it returns at once and loads no part of the SDK.
import { telemetryDisabled } from './handle.js';

if (!telemetryDisabled()) {
  const { startTelemetry } = await import('./sdk.js');
  await startTelemetry();
}
