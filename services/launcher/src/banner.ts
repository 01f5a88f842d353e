// What `npm start` prints once the platform is up. Built apart from main.ts so a
// spec can check it: every store address is shown without its password.
import { redactSecrets, type WenmingConfig } from '@wenming/service-kit';
import { describeReadStore, type RunningPlatform } from './platform.js';

export function startupBanner(
  config: WenmingConfig,
  platform: Pick<RunningPlatform, 'httpUrl' | 'grpcAddress' | 'missingServices'>,
): string[] {
  const messaging = config.messaging;
  const bus = messaging.kind === 'kafka' ? `Kafka ${messaging.brokers.join(',')}` : `in-process ${messaging.path}`;
  const lines = [
    `Wenming ${config.profile} platform is up`,
    `  HTTP  ${platform.httpUrl}  (GET /healthz, /readyz; API document /openapi.json, UI /docs)`,
    `  gRPC  ${platform.grpcAddress}  (grpc.health.v1, server reflection)`,
    `  bus   ${bus}  (relay ${messaging.relay ? 'on' : 'off'})`,
    `  read models  ${describeReadStore(config)}`,
    `  event store  ${redactSecrets(config.eventStoreUrl)}`,
  ];
  if (platform.missingServices.length > 0) {
    lines.push(`  services not built yet in this version: ${platform.missingServices.join(', ')}`);
  }
  return lines;
}
