import { AppConfig, ConfigError } from '@app/platform';
import { createApp } from './app.factory.js';

async function main(): Promise<void> {
  try {
    const app = await createApp(process.env);
    const config = app.get(AppConfig);
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

await main();
