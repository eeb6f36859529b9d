import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentTenant,
  TenantScoped,
  type CurrentTenantInfo,
} from '@app/platform';
import { SAAS_ERRORS } from '../saas.error.js';
import { CreateMeter, GetUsage, ListMeters, RecordUsage } from './usage-handlers.js';
import {
  CreateMeterRequest,
  MeterList,
  MeterView,
  UsageBatchRequest,
  UsageBatchResult,
  UsageQuery,
  UsageView,
} from './usage.dto.js';

const RECORD = `Usage events for the current tenant, up to 1,000 per request. **Durable first**: the \
accepted events are stored in PostgreSQL, unique by (tenant, \`eventId\`), before this answers \
202 — a 202 is never lost. Sending an event again (a retry) is accepted as \`duplicate\` and \
counted once. Each event is judged alone: an unknown meter, a timestamp more than 35 days back \
or 5 minutes ahead, or a period already invoiced rejects that event (\`reason\`), not the batch.

Meters: \`storage_bytes\` (max per hour, billed on the period's peak), \`compute_seconds\` \
(sum), and those you define (\`POST /v1/saas/meters\`). \`api_calls\` is counted by the \
platform itself: every tenant-scoped request.`;

/** Usage metering: report usage, read the period's usage, define meters. */
@ApiTags('saas')
@Controller('v1/saas')
@Authenticated()
@TenantScoped()
export class UsageController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('usage')
  @HttpCode(202)
  @ApiOperation({ summary: 'Report usage events (a batch)', description: RECORD })
  @ApiAcceptedResponse({ type: UsageBatchResult })
  @ApiProblems(SAAS_ERRORS, [], { validated: true })
  recordUsage(
    @CurrentTenant() tenant: CurrentTenantInfo,
    @Body() body: UsageBatchRequest,
  ): Promise<UsageBatchResult> {
    return this.commands.execute(new RecordUsage(tenant, body));
  }

  @Get('usage')
  @ApiOperation({
    summary: 'The current billing period’s usage, by meter and day',
    description:
      'From the hourly rollups (as of their last run, every minute by default); distinct counts from the raw events.',
  })
  @ApiOkResponse({ type: UsageView })
  @ApiProblems(SAAS_ERRORS, [], { validated: true })
  getUsage(
    @CurrentTenant() tenant: CurrentTenantInfo,
    @Query() query: UsageQuery,
  ): Promise<UsageView> {
    return this.queries.execute(new GetUsage(tenant, query.meter));
  }

  @Post('meters')
  @ApiOperation({
    summary: 'Define a custom meter',
    description:
      'Owners and admins. Aggregations: `sum`, `count`, `max`, `unique_count` (of `subject`). Custom meters are metered and reported; the plans price the built-in ones.',
  })
  @ApiCreatedResponse({ type: MeterView })
  @ApiProblems(SAAS_ERRORS, ['saas.not_tenant_admin', 'saas.meter_exists'], { validated: true })
  createMeter(
    @CurrentTenant() tenant: CurrentTenantInfo,
    @Body() body: CreateMeterRequest,
  ): Promise<MeterView> {
    return this.commands.execute(new CreateMeter(tenant, body));
  }

  @Get('meters')
  @ApiOperation({
    summary: 'The tenant’s meters (built-in and custom)',
    description:
      'The built-in meters first (`api_calls`, `storage_bytes`, `compute_seconds`), then the tenant’s own.',
  })
  @ApiOkResponse({ type: MeterList })
  @ApiProblems(SAAS_ERRORS, [])
  listMeters(@CurrentTenant() tenant: CurrentTenantInfo): Promise<MeterList> {
    return this.queries.execute(new ListMeters(tenant));
  }
}
