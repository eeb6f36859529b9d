import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { ConfigError } from '@app/platform';
import { createApp } from './app.factory.js';
import { toCommittedDocument } from './openapi-document.js';

/**
 * `npm run openapi:export`: writes the OpenAPI document the server serves (every context
 * hosted) to `openapi.json`, committed so API changes show in review; a test fails when the
 * served document and the committed one differ. Connects to DATABASE_URL (nothing is written).
 */
async function main(): Promise<void> {
  try {
    const app = await createApp({
      ...process.env,
      LOG_LEVEL: 'error',
      WORKERS: 'false',
      MIGRATIONS_RUN: 'false',
      DEMO_DATA: 'false',
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const res = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
    writeFileSync('openapi.json', toCommittedDocument(JSON.parse(res.body)));
    await app.close();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

await main();
