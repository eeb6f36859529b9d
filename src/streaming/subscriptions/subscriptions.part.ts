import { BullModule } from '@nestjs/bullmq';
import type { StreamingPart } from '../streaming-part.js';
import { Entitlements } from './entitlements.js';
import {
  CancelSubscriptionHandler,
  GetSubscriptionHandler,
  ListSubscriptionsHandler,
  UpdateSubscriptionHandler,
} from './manage-subscription.handlers.js';
import { SubscriptionPaid, SubscriptionPaymentFailedConsumer } from './payment-outcome.consumer.js';
import { PlansController } from './plans.controller.js';
import { CreatePlanHandler, GetPlanHandler, ListChannelPlansHandler } from './plans.handlers.js';
import { RENEWAL_QUEUE, RenewalProcessor } from './renewal.processor.js';
import { SubscribeHandler } from './subscribe.handler.js';
import { SubscriptionClock } from './subscription-clock.js';
import { SubscriptionRenewals } from './subscription-renewals.js';
import { SubscriptionsController } from './subscriptions.controller.js';

/** subscriptions: its controllers, providers and module imports (streaming.module.ts spreads them). */
export const SUBSCRIPTIONS_PART: StreamingPart = {
  imports: [BullModule.registerQueue({ name: RENEWAL_QUEUE })],
  controllers: [PlansController, SubscriptionsController],
  providers: [
    SubscriptionClock,
    Entitlements,
    CreatePlanHandler,
    GetPlanHandler,
    ListChannelPlansHandler,
    SubscribeHandler,
    CancelSubscriptionHandler,
    UpdateSubscriptionHandler,
    GetSubscriptionHandler,
    ListSubscriptionsHandler,
    SubscriptionPaid,
    SubscriptionPaymentFailedConsumer,
    SubscriptionRenewals,
    RenewalProcessor,
  ],
};
