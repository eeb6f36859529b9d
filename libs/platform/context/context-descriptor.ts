import type { Type } from '@nestjs/common';
import type { ErrorCatalogue } from '../http/error-catalogue.js';
import { contextOfRedisModule } from '../redis/redis.module.js';

/**
 * A context's config class: class-validator decorated properties with their defaults as
 * initialisers, one per environment variable the context reads. `problems` adds checks a
 * decorator cannot express (cross-field, production-only); each message starts with the
 * variable's name, as the platform's own do.
 */
export interface ContextConfig {
  problems?(platform: { isProduction: boolean }): string[];
}
export type ContextConfigClass = new () => object;

/**
 * Everything the platform needs to know about a bounded context, declared once in
 * `src/<context>/<context>.context.ts` and listed in `src/contexts.ts`. The composition root,
 * the DataSource, the valid `CONTEXTS` values, the config loader, the role set and the Swagger
 * tags are all derived from that one list.
 */
export interface ContextDescriptor {
  /** kebab-case; the first segment of its events' types, queues and consumer names. */
  readonly name: string;
  /** The one PostgreSQL schema the context owns (its entities and migrations use only it). */
  readonly schema: string;
  /** The Redis key space it owns, under REDIS_PREFIX (`<name>:`). */
  readonly redisPrefix: string;
  /** The Swagger tag's description. */
  readonly description: string;
  /** Its validated environment variables (validated at boot only when the context is hosted). */
  readonly config?: ContextConfigClass;
  /** Its TypeORM entity classes (all in `schema`). */
  readonly entities: readonly Type[];
  /** Its migration classes, oldest first; the first creates the schema. */
  readonly migrations: readonly Type[];
  /** The Nest module: controllers, handlers, consumers and services. */
  readonly module: Type;
  /** Its problem codes (`defineErrors`), served at `/problems/{code}`. */
  readonly errors?: ErrorCatalogue;
  /** Roles the context grants (besides the platform's `admin`); access tokens keep only known roles. */
  readonly roles?: readonly string[];
}

const NAME = /^[a-z][a-z0-9-]*$/;

/** Declares a context. Schema and Redis prefix default to the name, which is what every context uses. */
export function defineContext(
  descriptor: Omit<ContextDescriptor, 'schema' | 'redisPrefix'> &
    Partial<Pick<ContextDescriptor, 'schema' | 'redisPrefix'>>,
): ContextDescriptor {
  if (!NAME.test(descriptor.name)) {
    throw new Error(`Context name "${descriptor.name}" must be kebab-case`);
  }
  return {
    schema: descriptor.name,
    redisPrefix: `${descriptor.name}:`,
    ...descriptor,
  };
}

/**
 * Boot-time check of a context's module: it may import only its own Redis key space
 * (`ContextRedisModule.forContext(<its name>)`). Called by the composition root for each hosted
 * context.
 */
export function assertContextModule(context: ContextDescriptor): void {
  const imports = (Reflect.getMetadata('imports', context.module) ?? []) as unknown[];
  for (const imported of imports) {
    const owner = contextOfRedisModule(imported);
    if (owner !== undefined && owner !== context.name) {
      throw new Error(
        `Context "${context.name}" asks for context "${owner}"'s Redis key space; use ContextRedisModule.forContext('${context.name}')`,
      );
    }
  }
}
