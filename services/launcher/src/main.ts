// `npm start`: the whole platform in one process (embedded profile by default).
import { ConfigError, loadConfig, shutdownTelemetry } from '@wenming/service-kit';
import { describeReadStore, startPlatform } from './platform.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await startPlatform(config);
  const { logger } = platform;
  const store = config.eventStoreUrl.replace(/\/\/[^@/]*@/, '//***@');
  console.log(`Wenming ${config.profile} platform is up`);
  console.log(`  HTTP  ${platform.httpUrl}  (GET /healthz, /readyz; API document /openapi.json, UI /docs)`);
  console.log(`  gRPC  ${platform.grpcAddress}  (grpc.health.v1, server reflection)`);
  const messaging = config.messaging;
  const bus = messaging.kind === 'kafka' ? `Kafka ${messaging.brokers.join(',')}` : `in-process ${messaging.path}`;
  console.log(`  bus   ${bus}  (relay ${messaging.relay ? 'on' : 'off'})`);
  console.log(`  read models  ${describeReadStore(config)}`);
  console.log(`  event store  ${store}`);
  if (platform.missingServices.length > 0) {
    console.log(`  services not built yet in this version: ${platform.missingServices.join(', ')}`);
  }

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    platform
      .stop()
      .then(
        () => 0,
        (err) => {
          logger.error({ err }, 'shutdown failed');
          return 1;
        },
      )
      .then(async (code) => {
        // Telemetry last, so the spans of requests that finished during shutdown are
        // flushed; a collector that cannot be reached costs a warning, not the exit status.
        await shutdownTelemetry().catch((err) => logger.warn({ err }, 'telemetry was not flushed'));
        if (code === 0) console.log('Wenming stopped cleanly');
        process.exit(code);
      });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch(async (err) => {
  await shutdownTelemetry().catch(() => undefined);
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
