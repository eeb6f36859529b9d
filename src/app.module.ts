import { DynamicModule, Module, type Type } from '@nestjs/common';
import { PlatformModule, type ApiTag, type AppConfig, type ContextName } from '@app/platform';
import { dataSourceOptions } from './database.js';
import { CommerceModule } from './commerce/commerce.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { PaymentsModule } from './payments/payments.module.js';

/** The contexts that exist so far, with their Swagger tag. Each business issue adds its own. */
export const CONTEXT_MODULES: Partial<Record<ContextName, { module: Type; tag: ApiTag }>> = {
  commerce: {
    module: CommerceModule,
    tag: { name: 'commerce', description: 'Catalog, search, cart, inventory and orders' },
  },
  notifications: {
    module: NotificationsModule,
    tag: { name: 'notifications', description: 'In-app inbox and channel preferences' },
  },
  payments: {
    module: PaymentsModule,
    tag: {
      name: 'payments',
      description: 'Accounts, double-entry ledger, transfers, card vault, top-ups',
    },
  },
  identity: {
    module: IdentityModule,
    tag: { name: 'identity', description: 'Accounts, login, sessions and roles' },
  },
};

export const PLATFORM_TAG: ApiTag = {
  name: 'platform',
  description: 'Health, metrics and messaging administration',
};

/**
 * Composition root — the only file that imports every context module. `CONTEXTS` decides which
 * of them this process hosts.
 */
@Module({})
export class AppModule {
  static register(
    config: AppConfig,
    extra: { imports?: DynamicModule['imports']; logStream?: NodeJS.WritableStream } = {},
  ): DynamicModule {
    const hosted = config.CONTEXTS.flatMap((name) => CONTEXT_MODULES[name]?.module ?? []);
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          config,
          database: dataSourceOptions(config),
          logStream: extra.logStream,
        }),
        ...hosted,
        ...(extra.imports ?? []),
      ],
    };
  }
}

export function hostedTags(config: AppConfig): ApiTag[] {
  return [PLATFORM_TAG, ...config.CONTEXTS.flatMap((name) => CONTEXT_MODULES[name]?.tag ?? [])];
}
