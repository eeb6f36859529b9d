import { Injectable } from '@nestjs/common';
import { SubscriptionRequested } from '@app/contracts/streaming';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { SystemAccounts } from '../accounts/system-accounts.js';
import { SagaRunner } from '../transfers/saga-runner.js';
import { Sagas } from '../transfers/sagas.js';

/** The business key of one attempt at one subscription charge: a duplicate request is a no-op. */
export const subscriptionPaymentKey = (chargeId: string, attempt: number) =>
  `${chargeId}:${attempt}`;

/**
 * streaming.subscription-requested → charge the subscriber's card to the merchant account (via
 * clearing), as an order payment is charged: fraud + hold → charge → post, with the same
 * compensation. One saga per (charge, attempt) — the unique business key makes a duplicate
 * request (a republish, a renewal job that ran twice) charge once. The saga publishes
 * `payments.subscription-payment-succeeded` or `-failed` when it ends.
 */
@Injectable()
@Consumes(SubscriptionRequested, 'payments.charge-subscription')
export class ChargeSubscription implements IntegrationEventConsumer<SubscriptionRequested> {
  constructor(
    private readonly system: SystemAccounts,
    private readonly sagas: Sagas,
    private readonly runner: SagaRunner,
  ) {}

  async consume(event: SubscriptionRequested, tx: Tx): Promise<void> {
    const { chargeId, subscriptionId, customerId, amount, currency, cardToken, attempt } =
      event.payload;
    const clearing = await this.system.get(tx.manager, 'clearing', currency);
    const merchant = await this.system.get(tx.manager, 'merchant', currency);
    const saga = await this.sagas.create(tx, {
      kind: 'subscription_payment',
      ownerId: customerId,
      businessKey: subscriptionPaymentKey(chargeId, attempt),
      deadlineSeconds: 600,
      fields: {
        amount,
        currency,
        debitAccountId: clearing,
        creditAccountId: merchant,
        toAccountId: merchant,
        cardToken,
        subscriptionChargeId: chargeId,
        subscriptionId,
        attempt,
      },
    });
    if (saga) tx.afterCommit(() => this.runner.runLeased(saga));
  }
}
