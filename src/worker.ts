import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger, ConfigError, describeSecrets, loadConfig, startTracing } from '@app/platform';
import { AppModule } from './app.module.js';
import { CONTEXTS } from './contexts.js';

/**
 * Worker-only process: the same build and modules as the server, without HTTP. It runs the
 * outbox relay, event consumers and BullMQ processors (`npm run start:worker`). Pair it with
 * API processes started with WORKERS=false.
 */
async function main(): Promise<void> {
  try {
    const config = loadConfig({ ...process.env, WORKERS: 'true' }, CONTEXTS);
    await startTracing({
      endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: config.serviceName,
    });
    const app = await NestFactory.createApplicationContext(AppModule.register(config), {
      bufferLogs: true,
    });
    app.useLogger(app.get(AppLogger));
    app.enableShutdownHooks();
    await app.init();
    // The same DATA_DIR as the API's, so both use one set of generated secrets (development).
    const secrets = describeSecrets(config);
    if (secrets) new NestLogger('Bootstrap').log(secrets);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

await main();
