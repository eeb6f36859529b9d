import { IntegrationEvent, type IntegrationEventClass } from '@app/contracts';

/**
 * A durable event that stays inside its context: written to the outbox in the publisher's
 * transaction and consumed through the inbox with the same guarantees as an integration event
 * (exactly-once effects, retries, parking), but declared in the context's own folder — not in
 * libs/contracts — never carried to a broker, and refused at boot as the event of another
 * context's consumer. Use it for a context's own asynchronous steps (e.g. commerce's
 * `commerce.product-changed`); publish an IntegrationEvent only for facts another context
 * consumes.
 */
export abstract class InternalEvent<P extends object = object> extends IntegrationEvent<P> {}

export function isInternalEventClass(cls: IntegrationEventClass): boolean {
  return cls.prototype instanceof InternalEvent;
}

/** `commerce.product-changed` → `commerce`. */
export function contextOfType(type: string): string {
  return type.slice(0, type.indexOf('.'));
}
