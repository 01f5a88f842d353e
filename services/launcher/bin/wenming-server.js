#!/usr/bin/env node
// Runs the TypeScript entry through tsx, so the workspace needs no build step.
import { register } from 'tsx/esm/api';

register();
// Telemetry first, so it can instrument what main imports (OTEL_SDK_DISABLED=true skips it).
await import('@wenming/service-kit/telemetry/register');
await import('../src/main.ts');
