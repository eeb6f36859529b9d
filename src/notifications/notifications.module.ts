import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ConfirmVerificationHandler } from './contacts/confirm-verification.handler.js';
import { ContactsController } from './contacts/contacts.controller.js';
import { RequestVerificationHandler } from './contacts/request-verification.handler.js';
import { EmailChannel, PushChannel, SmsChannel } from './delivery/channels.js';
import { DeliveryProcessor } from './delivery/delivery.processor.js';
import {
  NotifyOrderConfirmed,
  NotifyOrderFailed,
} from './delivery/order-notifications.consumer.js';
import { NotifyRefund } from './delivery/refund.consumer.js';
import { DELIVERY_QUEUE, NotificationRouter } from './delivery/router.js';
import { SocialNotifier, socialConsumers } from './delivery/social-activity.consumer.js';
import { NotifyMemberInvited } from './delivery/invitation.consumer.js';
import { Welcome } from './delivery/welcome.consumer.js';
import { InboxController } from './inbox/inbox.controller.js';
import { ListNotificationsHandler } from './inbox/list-notifications.handler.js';
import { MarkReadHandler } from './inbox/mark-read.handler.js';
import { GetPreferencesHandler } from './preferences/get-preferences.handler.js';
import { PreferencesController } from './preferences/preferences.controller.js';
import { UpdatePreferencesHandler } from './preferences/update-preferences.handler.js';

// InboxController first: the OpenAPI document lists the inbox routes before the preferences.
const controllers = [InboxController, PreferencesController, ContactsController];
const commandHandlers = [
  MarkReadHandler,
  UpdatePreferencesHandler,
  RequestVerificationHandler,
  ConfirmVerificationHandler,
];
const queryHandlers = [ListNotificationsHandler, GetPreferencesHandler];
const consumers = [
  Welcome,
  NotifyOrderConfirmed,
  NotifyOrderFailed,
  NotifyRefund,
  NotifyMemberInvited,
  ...socialConsumers,
];
const services = [
  NotificationRouter,
  SocialNotifier,
  DeliveryProcessor,
  EmailChannel,
  SmsChannel,
  PushChannel,
];

/** Priority routing of integration events to email, SMS, push and the in-app inbox. Schema `notifications`. */
@Module({
  imports: [BullModule.registerQueue({ name: DELIVERY_QUEUE })],
  controllers,
  providers: [...commandHandlers, ...queryHandlers, ...consumers, ...services],
})
export class NotificationsModule {}
