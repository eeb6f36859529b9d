import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  IdempotencyKey,
  Idempotent,
  PageQuery,
  type Page,
  type Principal,
  UuidParam,
} from '@app/platform';
import { STREAMING_ERRORS } from '../streaming.error.js';
import {
  CancelSubscription,
  GetSubscription,
  ListSubscriptions,
  UpdateSubscription,
} from './manage-subscription.handlers.js';
import { Subscribe } from './subscribe.handler.js';
import {
  SubscribeRequest,
  SubscriptionPage,
  SubscriptionView,
  UpdateSubscriptionRequest,
} from './subscriptions.dto.js';

const ERRORS = STREAMING_ERRORS;

const SUBSCRIBE = `Subscribes you to a plan with a card vaulted by \`POST /v1/payments/cards\` \
(its \`token\` as \`cardToken\`). Answers **202** with the subscription **PENDING**: the first \
month is charged by payments (\`streaming.subscription-requested\` → its payment saga). Poll \
\`GET /v1/streaming/subscriptions/{id}\`: **ACTIVE** once paid (\`currentPeriodEnd\` = now + 1 \
month; subscriber videos of the plan's channel — every channel for a platform plan — then play \
for you), or **INCOMPLETE** with \`failureReason\` (\`card_declined\`, \`insufficient_funds\`, \
\`card_not_found\`, \`fraud_denied\`…) when the first charge fails.

Each month is charged once, a little before the period ends. A failed renewal makes it \
**PAST_DUE**: still entitled for a grace period (STREAMING_SUBSCRIPTION_GRACE_HOURS, 72 h) while \
the charge is retried (every STREAMING_SUBSCRIPTION_RETRY_HOURS, up to \
STREAMING_SUBSCRIPTION_RENEWAL_ATTEMPTS requests), then **LAPSED**.

**Idempotency.** Send a fresh \`Idempotency-Key\` per subscription; a retry with the same key \
answers the same subscription (and charges nothing twice). A second live subscription to the \
same plan → 409 \`streaming.already_subscribed\`.`;

/** A viewer's subscriptions: subscribe, list, change the card, cancel at period end. */
@ApiTags('streaming')
@Authenticated()
@Controller('v1/streaming/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Idempotent()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Subscribe to a plan with a vaulted card (202, then poll)',
    description: SUBSCRIBE,
  })
  @ApiAcceptedResponse({
    type: SubscriptionView,
    description:
      'Accepted: PENDING until payments answers (a retry with the same key: its current state)',
  })
  @ApiProblems(ERRORS, ['streaming.plan_not_found', 'streaming.already_subscribed'], {
    validated: true,
  })
  createSubscription(
    @CurrentUser() user: Principal,
    @Body() body: SubscribeRequest,
    @IdempotencyKey() key: string,
  ): Promise<SubscriptionView> {
    return this.commands.execute(new Subscribe(user.userId, body, key));
  }

  @Get()
  @ApiOperation({
    summary: 'Your subscriptions, newest first (cursor paged)',
    description: 'Every status, each with its latest charges. Next page: `cursor` = `nextCursor`.',
  })
  @ApiOkResponse({ type: SubscriptionPage })
  @ApiProblems(ERRORS, [], { validated: true })
  listSubscriptions(
    @CurrentUser() user: Principal,
    @Query() page: PageQuery,
  ): Promise<Page<SubscriptionView>> {
    return this.queries.execute(new ListSubscriptions(user.userId, page));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One of your subscriptions: status, current period, grace and charges',
    description: 'What to poll after subscribing. Anyone else’s answers 404.',
  })
  @ApiOkResponse({ type: SubscriptionView })
  @ApiProblems(ERRORS, ['streaming.subscription_not_found'])
  getSubscription(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The subscription id') id: string,
  ): Promise<SubscriptionView> {
    return this.queries.execute(new GetSubscription(user.userId, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change the card of a subscription',
    description:
      '`cardToken`: another of your vaulted cards, used from the next charge on. A PAST_DUE ' +
      'subscription’s failed renewal is retried with it at the next renewal run (about a ' +
      'minute). 409 `streaming.subscription_ended` once it is over.',
  })
  @ApiOkResponse({ type: SubscriptionView })
  @ApiProblems(ERRORS, ['streaming.subscription_not_found', 'streaming.subscription_ended'], {
    validated: true,
  })
  updateSubscription(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The subscription id') id: string,
    @Body() body: UpdateSubscriptionRequest,
  ): Promise<SubscriptionView> {
    return this.commands.execute(new UpdateSubscription(user.userId, id, body));
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Cancel a subscription at the end of its period',
    description:
      'Sets `cancelAtPeriodEnd`: it stays ACTIVE, and its videos play, until ' +
      '`currentPeriodEnd`; then it ends (CANCELED) and is never charged again. A PAST_DUE one ' +
      'ends now (its period is over). Cancelling again answers the same; 409 ' +
      '`streaming.subscription_ended` when it lapsed or never started (INCOMPLETE).',
  })
  @ApiOkResponse({ type: SubscriptionView })
  @ApiProblems(ERRORS, ['streaming.subscription_not_found', 'streaming.subscription_ended'])
  cancelSubscription(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The subscription id') id: string,
  ): Promise<SubscriptionView> {
    return this.commands.execute(new CancelSubscription(user.userId, id));
  }
}
