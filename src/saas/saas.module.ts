import { Module } from '@nestjs/common';
import { ContextRedisModule } from '@app/platform';
import { BILLING_PART } from './billing/billing.part.js';
import { MEMBERS_PART } from './members/members.part.js';
import { METERING_PART } from './metering/metering.part.js';
import { PROJECTS_PART } from './projects/projects.part.js';
import { TENANTS_PART } from './tenants/tenants.part.js';

// Registration order is the order of the paths in the OpenAPI document.
const parts = [TENANTS_PART, MEMBERS_PART, PROJECTS_PART, METERING_PART, BILLING_PART];

/** Tenants, members, the core service (projects), usage metering and billing. */
@Module({
  imports: [ContextRedisModule.forContext('saas'), ...parts.flatMap((p) => p.imports)],
  controllers: parts.flatMap((p) => p.controllers),
  providers: parts.flatMap((p) => p.providers),
})
export class SaasModule {}
