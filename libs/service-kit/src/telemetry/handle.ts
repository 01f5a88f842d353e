// The process's telemetry, once started: kept here, apart from the SDK, so code that
// only needs to flush it at exit does not load the SDK when telemetry is off.

export interface Telemetry {
  /** Flushes pending spans, metrics and logs, then stops exporting. Safe to call twice. */
  shutdown(): Promise<void>;
}

let active: Telemetry | undefined;

export function setActiveTelemetry(telemetry: Telemetry | undefined): void {
  active = telemetry;
}

/**
 * Flushes and stops the telemetry started by startTelemetry / the register module;
 * a no-op when none runs. Bounded, because an unreachable collector must not hold
 * a stopping process: it rejects when the flush fails or outlasts `timeoutMs`.
 */
export async function shutdownTelemetry(timeoutMs = 5_000): Promise<void> {
  const telemetry = active;
  active = undefined;
  if (!telemetry) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`telemetry flush did not finish within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([telemetry.shutdown(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** OTEL_SDK_DISABLED=true turns telemetry off, as the OpenTelemetry spec defines. */
export function telemetryDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
}
