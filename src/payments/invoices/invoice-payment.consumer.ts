import { Injectable } from '@nestjs/common';
import { InvoiceChargeRequested } from '@app/contracts/saas';
import { Consumes, type IntegrationEventConsumer, type Tx } from '@app/platform';
import { SystemAccounts } from '../accounts/system-accounts.js';
import { SagaRunner } from '../transfers/saga-runner.js';
import { Sagas } from '../transfers/sagas.js';

/** The business key of one attempt at one invoice: a duplicate request is a no-op. */
export const invoicePaymentKey = (invoiceId: string, attempt: number) =>
  `invoice:${invoiceId}:${attempt}`;

/**
 * saas.invoice-charge-requested → charge the tenant owner's card to the merchant account (via
 * clearing), as an order payment is charged: fraud + hold → charge → post, with the same
 * compensation. One saga per (invoice, attempt), so a republished request charges once. It
 * publishes `payments.invoice-payment-succeeded` or `-failed` when it ends.
 */
@Injectable()
@Consumes(InvoiceChargeRequested, 'payments.charge-invoice')
export class ChargeInvoice implements IntegrationEventConsumer<InvoiceChargeRequested> {
  constructor(
    private readonly system: SystemAccounts,
    private readonly sagas: Sagas,
    private readonly runner: SagaRunner,
  ) {}

  async consume(event: InvoiceChargeRequested, tx: Tx): Promise<void> {
    const { invoiceId, tenantId, customerId, amount, currency, cardToken, attempt } = event.payload;
    const clearing = await this.system.get(tx.manager, 'clearing', currency);
    const merchant = await this.system.get(tx.manager, 'merchant', currency);
    const saga = await this.sagas.create(tx, {
      kind: 'invoice_payment',
      ownerId: customerId,
      businessKey: invoicePaymentKey(invoiceId, attempt),
      deadlineSeconds: 600,
      fields: {
        amount,
        currency,
        debitAccountId: clearing,
        creditAccountId: merchant,
        toAccountId: merchant,
        cardToken,
        invoiceId,
        tenantId,
        attempt,
      },
    });
    if (saga) tx.afterCommit(() => this.runner.runLeased(saga));
  }
}
