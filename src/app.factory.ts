import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureHttp, httpServerOptions, loadConfig } from '@app/platform';
import {
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import pg from 'pg';
import { AppModule, hostedTags } from './app.module.js';
import { CONTEXTS } from './contexts.js';
import { demoDataWanted, loadDemoData, type DemoOptions } from './demo-data.js';

export interface CreateAppOptions {
  /** Extra modules (tests add probe consumers and controllers). */
  imports?: DynamicModule['imports'];
  logStream?: NodeJS.WritableStream;
  /** Demo data options (a smaller catalog in tests); whether it loads is the config's call. */
  demo?: DemoOptions;
}

/** What a start did before serving, for main.ts's "listening" line. */
export interface StartupReport {
  /** Migrations this start ran (0 with MIGRATIONS_RUN=false or nothing pending). */
  migrationsRan: number;
}
const reports = new WeakMap<object, StartupReport>();
export const startupReport = (app: object): StartupReport =>
  reports.get(app) ?? { migrationsRan: 0 };

/**
 * Builds the HTTP application from an environment map: validated config, the hosted contexts,
 * Fastify, and every HTTP concern. `main.ts` and the test factory both use it.
 */
export async function createApp(
  env: Record<string, string | undefined>,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const config = loadConfig(env, CONTEXTS);
  const before = config.MIGRATIONS_RUN ? await migrationsApplied(config.DATABASE_URL) : 0;
  const adapter = new FastifyAdapter(httpServerOptions(config));
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config, {
      ...options,
      imports: [...(options.imports ?? []), ShutdownReportModule],
    }),
    adapter,
    // configureHttp registers the one body parser (JSON, with bounded keys and depth)
    { bufferLogs: true, bodyParser: false },
  );
  await configureHttp(app, hostedTags(config));
  // After migrations (they run as the app initialises) and before the server listens, so a
  // fresh development start is ready only with its demo data in place.
  if (demoDataWanted(config, env)) {
    await app.init();
    try {
      await loadDemoData(app, config, options.demo);
    } catch (err) {
      // A convenience, never a reason not to start: say what failed and serve without it.
      new Logger('DemoData').error(
        { err },
        'demo data could not be loaded; the server starts without it (restart on an empty database to retry)',
      );
    }
  }
  if (config.MIGRATIONS_RUN) {
    await app.init();
    reports.set(app, {
      migrationsRan: (await migrationsApplied(config.DATABASE_URL)) - before,
    });
  }
  return app;
}

/**
 * One line when a signal stops the server (tests' `app.close()` pass none): by this phase every
 * `onModuleDestroy` has run — the relay, the consumers' lanes and the pollers have stopped and
 * finished their in-flight work — and the pools are still open, so it can say what is left for
 * the next start (any process sharing the database picks it up).
 */
@Injectable()
class ShutdownReport implements BeforeApplicationShutdown {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (!signal) return;
    const logger = new Logger('Shutdown');
    try {
      const [left] = (await this.db.query(
        `SELECT (SELECT count(*)::int FROM platform.outbox WHERE dispatched_at IS NULL) AS events,
                (SELECT count(*)::int FROM platform.inbox WHERE status = 'pending') AS deliveries`,
      )) as { events: number; deliveries: number }[];
      logger.log(
        `shutdown (${signal}): relay, consumers and pollers stopped after their in-flight work; left for the next start: ${left!.events} undispatched events, ${left!.deliveries} pending deliveries`,
      );
    } catch (err) {
      logger.warn({ err }, `shutdown (${signal}): could not count what is left`);
    }
  }
}

@Module({ providers: [ShutdownReport] })
class ShutdownReportModule {}

/** Rows in TypeORM's `migrations` table (0 before the first migration created it). */
async function migrationsApplied(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const [table] = (await client.query(`SELECT to_regclass('migrations') IS NOT NULL AS e`)).rows;
    if (!table.e) return 0;
    return (await client.query<{ n: number }>(`SELECT count(*)::int n FROM migrations`)).rows[0]!.n;
  } finally {
    await client.end();
  }
}
