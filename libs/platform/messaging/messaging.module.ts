import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Transactions } from '../database/transactions.js';
import { DeliveriesController } from './deliveries.controller.js';
import { EventTransport } from './event-transport.js';
import { ConsumerRegistry } from './consumer-registry.js';
import { Inbox } from './inbox.js';
import { InboxStore } from './inbox-store.js';
import { ParkedDeliveries } from './parked-deliveries.js';
import { Outbox } from './outbox.js';
import { OutboxRelay } from './relay.js';

/** Outbox, relay, inbox and the transaction helper that ties a unit of work to the outbox. */
@Module({
  imports: [DiscoveryModule],
  controllers: [DeliveriesController],
  providers: [
    Outbox,
    OutboxRelay,
    ConsumerRegistry,
    InboxStore,
    Inbox,
    ParkedDeliveries,
    Transactions,
    EventTransport,
  ],
  exports: [Outbox, OutboxRelay, Inbox, Transactions],
})
export class MessagingModule {}
