import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { EmailChannel, PushChannel, SmsChannel } from './delivery/channels.js';
import { DeliveryProcessor } from './delivery/delivery.processor.js';
import {
  NotifyOrderConfirmed,
  NotifyOrderFailed,
  NotifyRefund,
  Welcome,
} from './delivery/event-consumers.js';
import { DELIVERY_QUEUE, NotificationRouter } from './delivery/router.js';
import { InboxController } from './inbox/inbox.controller.js';

const controllers = [InboxController];
const consumers = [Welcome, NotifyOrderConfirmed, NotifyOrderFailed, NotifyRefund];
const services = [NotificationRouter, DeliveryProcessor, EmailChannel, SmsChannel, PushChannel];

/** Priority routing of integration events to email, SMS, push and the in-app inbox. Schema `notifications`. */
@Module({
  imports: [BullModule.registerQueue({ name: DELIVERY_QUEUE })],
  controllers,
  providers: [...consumers, ...services],
})
export class NotificationsModule {}
