import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';
import { contextConfigsOf } from './load-config.js';

/**
 * Makes the validated AppConfig, and each hosted context's config class, injectable everywhere
 * (`constructor(private config: AppConfig)`, `constructor(private config: PaymentsConfig)`).
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    const contexts = [...contextConfigsOf(config)].map(([cls, value]) => ({
      provide: cls,
      useValue: value,
    }));
    return {
      module: ConfigModule,
      providers: [{ provide: AppConfig, useValue: config }, ...contexts],
      exports: [AppConfig, ...contexts.map((c) => c.provide)],
    };
  }
}
