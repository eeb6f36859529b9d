import { DynamicModule, Module } from '@nestjs/common';
import {
  assertContextModule,
  PlatformModule,
  ProblemsModule,
  type ApiTag,
  type AppConfig,
} from '@app/platform';
import { CONTEXTS } from './contexts.js';
import { dataSourceOptions } from './database.js';

export const PLATFORM_TAG: ApiTag = {
  name: 'platform',
  description: 'Health, the problem catalogue and messaging administration (redrive)',
};

const hostedContexts = (config: AppConfig) =>
  CONTEXTS.filter((c) => config.CONTEXTS.includes(c.name));

/**
 * Composition root — the only module that imports the context modules, all of them through the
 * descriptor list in contexts.ts. `CONTEXTS` decides which of them this process hosts.
 */
@Module({})
export class AppModule {
  static register(
    config: AppConfig,
    extra: { imports?: DynamicModule['imports']; logStream?: NodeJS.WritableStream } = {},
  ): DynamicModule {
    const hosted = hostedContexts(config);
    hosted.forEach(assertContextModule);
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          config,
          database: dataSourceOptions(config),
          contexts: CONTEXTS,
          logStream: extra.logStream,
        }),
        // Every context's codes, hosted here or not: a problem from any service resolves.
        ProblemsModule.forContexts(CONTEXTS),
        ...hosted.map((c) => c.module),
        ...(extra.imports ?? []),
      ],
    };
  }
}

export function hostedTags(config: AppConfig): ApiTag[] {
  return [
    ...hostedContexts(config).map((c) => ({ name: c.name, description: c.description })),
    PLATFORM_TAG,
  ];
}
