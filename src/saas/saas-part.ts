import type { DynamicModule, Provider, Type } from '@nestjs/common';

/**
 * One area of the saas context (tenants, members, projects, metering, billing): what it adds to
 * the context's module. Registration order is the order of the paths in the OpenAPI document.
 */
export interface SaasPart {
  imports: (Type | DynamicModule)[];
  controllers: Type[];
  providers: Provider[];
}
