import { SetMetadata } from '@nestjs/common';
import type { IntegrationEvent, IntegrationEventClass } from '@app/contracts';
import type { Tx } from '../database/transactions.js';

export const CONSUMER_METADATA = Symbol('platform:consumer');

export interface ConsumerMetadata {
  /** Stable, unique consumer name, `<context>.<what-it-does>`; the inbox dedupes per name. */
  name: string;
  event: IntegrationEventClass;
}

/**
 * A consumer of one integration event. Its `consume` runs inside a transaction that also marks
 * the (event, consumer) inbox row done: effects happen exactly once even when the event is
 * delivered twice, and a throw rolls everything back and schedules a retry with backoff.
 */
export interface IntegrationEventConsumer<E extends IntegrationEvent = IntegrationEvent> {
  consume(event: E, tx: Tx): Promise<void>;
}

/**
 * Makes a provider an idempotent consumer of `event`:
 *
 * ```ts
 * @Consumes(UserRegistered, 'notifications.welcome')
 * export class SendWelcome implements IntegrationEventConsumer<UserRegistered> { ... }
 * ```
 *
 * The inbox finds it at boot and routes every event of that type and version published on the
 * CQRS EventBus to it (see `Inbox`).
 */
export function Consumes(event: IntegrationEventClass, name: string): ClassDecorator {
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9.-]+$/.test(name)) {
    throw new Error(`Consumer name "${name}" must look like "<context>.<what-it-does>"`);
  }
  return SetMetadata(CONSUMER_METADATA, { name, event } satisfies ConsumerMetadata);
}
