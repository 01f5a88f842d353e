// `npm start`: the whole platform in one process (embedded profile by default).
import { ConfigError, loadConfig } from '@wenming/service-kit';
import { startPlatform } from './platform.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await startPlatform(config);
  const { logger } = platform;
  const store = config.eventStoreUrl.replace(/\/\/[^@/]*@/, '//***@');
  console.log(`Wenming ${config.profile} platform is up`);
  console.log(`  HTTP  ${platform.httpUrl}  (GET /healthz, /readyz)`);
  console.log(`  gRPC  ${platform.grpcAddress}  (grpc.health.v1)`);
  console.log(`  event store  ${store}`);
  if (platform.missingServices.length > 0) {
    console.log(`  services not built yet in this version: ${platform.missingServices.join(', ')}`);
  }

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    platform.stop().then(
      () => {
        console.log('Wenming stopped cleanly');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
