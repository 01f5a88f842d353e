// `npm start`: the whole platform in one process (embedded profile by default).
import { ConfigError, loadConfig, redactError, redactSecrets, shutdownTelemetry } from '@wenming/service-kit';
import { startupBanner } from './banner.js';
import { startPlatform } from './platform.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await startPlatform(config);
  const { logger } = platform;
  for (const line of startupBanner(config, platform)) console.log(line);

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
    console.error(`Configuration error: ${redactSecrets(err.message)}`);
    process.exit(2);
  }
  // Drivers put their connection string in some errors: print them without the password.
  console.error(redactError(err));
  process.exit(1);
});
