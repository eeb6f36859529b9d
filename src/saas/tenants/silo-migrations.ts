import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, Tenancy } from '@app/platform';

/**
 * Boot migrates every silo database to the version the platform's is at (MIGRATIONS_RUN, as the
 * platform database): a silo that fails is reported and its tenant fails closed (503), the
 * other silos and the pool keep serving. `npm run migration:run` does the same after the
 * platform's migrations (src/migrate-silos.ts).
 */
@Injectable()
export class SiloMigrations implements OnApplicationBootstrap {
  private readonly logger = new Logger(SiloMigrations.name);

  constructor(
    private readonly tenancy: Tenancy,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.MIGRATIONS_RUN) return;
    const { migrated, failed } = await this.tenancy.migrateSilos();
    if (migrated.length + failed.length > 0) {
      this.logger.log(
        { migrated: migrated.length, failed: failed.map((f) => f.database) },
        'silo databases migrated',
      );
    }
  }
}
