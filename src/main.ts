import { Logger } from '@nestjs/common';
import {
  AppConfig,
  ConfigError,
  describeSecrets,
  startTracing,
  tracingServiceName,
} from '@app/platform';
import { createApp, startupReport } from './app.factory.js';

async function main(): Promise<void> {
  try {
    // A no-op without OTEL_EXPORTER_OTLP_ENDPOINT (see README "Observability" for --import).
    await startTracing({
      endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: tracingServiceName(process.env),
    });
    const app = await createApp(process.env);
    const config = app.get(AppConfig);
    await app.listen({ port: config.PORT, host: config.HOST });
    const host = ['0.0.0.0', '::'].includes(config.HOST) ? 'localhost' : config.HOST;
    const ran = startupReport(app).migrationsRan;
    const logger = new Logger('Bootstrap');
    // Where generated secrets live (development), never what they are.
    const secrets = describeSecrets(config);
    if (secrets) logger.log(secrets);
    logger.log(
      `listening on http://${host}:${config.PORT} — docs at /docs (${ran} migration${ran === 1 ? '' : 's'} ran)`,
    );
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

await main();
