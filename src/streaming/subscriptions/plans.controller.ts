import { Body, Controller, Get, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  Public,
  type Principal,
  UuidParam,
} from '@app/platform';
import { STREAMING_ERRORS } from '../streaming.error.js';
import { CreatePlan, GetPlan, ListChannelPlans } from './plans.handlers.js';
import { CreatePlanRequest, PlanList, PlanView } from './subscriptions.dto.js';

const ERRORS = STREAMING_ERRORS;

const CREATE = `A monthly plan viewers subscribe to (\`POST /v1/streaming/subscriptions\`) to watch \
subscriber-only videos (\`visibility: subscribers\`). \`monthlyPrice\` is in minor units (an \
integer above 0), \`currency\` ISO 4217.

A channel creates plans for itself: \`channelId\` omitted or your user id. An admin also creates \
**platform plans** with \`channelId: null\`: their subscribers may watch every channel's \
subscriber videos. Anyone else's channel (or a platform plan by a non-admin) → 403 \
\`streaming.not_your_channel\` naming \`channelId\`.`;

/** Subscription plans: per channel, or for the whole platform. */
@ApiTags('streaming')
@Controller('v1/streaming')
export class PlansController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('plans')
  @Authenticated()
  @ApiOperation({
    summary: 'Create a subscription plan for your channel (or, admins, the platform)',
    description: CREATE,
  })
  @ApiCreatedResponse({ type: PlanView })
  @ApiProblems(ERRORS, ['streaming.not_your_channel'], { validated: true })
  createPlan(@CurrentUser() user: Principal, @Body() body: CreatePlanRequest): Promise<PlanView> {
    return this.commands.execute(new CreatePlan(user, body));
  }

  @Get('plans/:id')
  @Public()
  @ApiOperation({
    summary: 'A subscription plan',
    description: 'Public. Subscribe to it with `POST /v1/streaming/subscriptions`.',
  })
  @ApiOkResponse({ type: PlanView })
  @ApiProblems(ERRORS, ['streaming.plan_not_found'])
  getPlan(@UuidParam('id', 'The plan id') id: string): Promise<PlanView> {
    return this.queries.execute(new GetPlan(id));
  }

  @Get('channels/:id/plans')
  @Public()
  @ApiOperation({
    summary: 'The plans that entitle to a channel’s subscriber videos',
    description:
      'Public. The channel’s own plans (cheapest first), then the platform plans (`channelId` ' +
      'null), which entitle to every channel. An unknown channel simply has no plans of its own.',
  })
  @ApiOkResponse({ type: PlanList })
  @ApiProblems(ERRORS, [])
  listChannelPlans(
    @UuidParam('id', 'The channel: its owner’s user id') id: string,
  ): Promise<PlanList> {
    return this.queries.execute(new ListChannelPlans(id));
  }
}
