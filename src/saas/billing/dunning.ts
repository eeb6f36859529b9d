import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InvoicePaymentFailed, InvoicePaymentSucceeded } from '@app/contracts/payments';
import { InvoiceChargeRequested } from '@app/contracts/saas';
import {
  Consumes,
  Tenancy,
  Transactions,
  type IntegrationEventConsumer,
  type Tx,
} from '@app/platform';
import { DataSource } from 'typeorm';
import { SaasConfig } from '../saas.config.js';
import type { InvoiceRow } from './invoice.entity.js';

/** Why billing suspended a tenant (lifted by billing when the invoices are paid). */
export const UNPAID = 'an unpaid invoice';

/**
 * Dunning, run by the billing tick: a past-due invoice whose retry is due is charged again
 * (attempt n + 1, with the card on file now) until SAAS_DUNNING_ATTEMPTS; a tenant with an invoice
 * past due for SAAS_SUSPEND_PAST_DUE_SECONDS is suspended (every request 403) until it is paid.
 */
@Injectable()
export class Dunning {
  private readonly logger = new Logger(Dunning.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly tenancy: Tenancy,
    private readonly config: SaasConfig,
  ) {}

  async run(now: Date): Promise<void> {
    const due = await this.db.query<(InvoiceRow & { owner_id: string; card: string | null })[]>(
      `SELECT i.*, t.owner_id, t.billing_card_token AS card FROM saas.invoices i JOIN saas.tenants t ON t.id = i.tenant_id
        WHERE i.status = 'past_due' AND i.next_payment_at <= $1 ORDER BY i.next_payment_at LIMIT 500`,
      [now],
    );
    for (const invoice of due) await this.retry(invoice);
    const [overdue] = await this.db.query<[{ id: string }[], number]>(
      `UPDATE saas.tenants t SET status = 'suspended', suspended_reason = '${UNPAID}', updated_at = now()
        WHERE t.status = 'active' AND EXISTS (
          SELECT 1 FROM saas.invoices i WHERE i.tenant_id = t.id AND i.status = 'past_due'
             AND i.finalized_at <= $1::timestamptz - make_interval(secs => $2))
        RETURNING t.id`,
      [now, this.config.SAAS_SUSPEND_PAST_DUE_SECONDS],
    );
    for (const { id } of overdue) {
      this.tenancy.forget(id);
      this.logger.warn({ tenantId: id }, 'tenant suspended for an unpaid invoice');
    }
  }

  private async retry(
    invoice: InvoiceRow & { owner_id: string; card: string | null },
  ): Promise<void> {
    const retryIn = this.config.SAAS_DUNNING_RETRY_SECONDS;
    await this.transactions.run(async (tx) => {
      const attempt = invoice.payment_attempts + 1;
      const charge = invoice.card !== null && attempt <= this.config.SAAS_DUNNING_ATTEMPTS;
      const [claimed] = await tx.manager.query<[unknown[], number]>(
        `UPDATE saas.invoices SET
            status = CASE WHEN $3 THEN 'open' ELSE status END,
            payment_attempts = CASE WHEN $3 THEN $4 ELSE payment_attempts END,
            next_payment_at = CASE WHEN $3 THEN NULL
                                   WHEN $4 <= $6 THEN now() + make_interval(secs => $5) END,
            updated_at = now()
          WHERE tenant_id = $1 AND id = $2 AND status = 'past_due' AND payment_attempts = $4 - 1
          RETURNING id`,
        [
          invoice.tenant_id,
          invoice.id,
          charge,
          attempt,
          retryIn,
          this.config.SAAS_DUNNING_ATTEMPTS,
        ],
      );
      if (claimed.length === 0 || !charge) return;
      await tx.publish(
        new InvoiceChargeRequested({
          tenantId: invoice.tenant_id,
          invoiceId: invoice.id,
          amount: Number(invoice.total),
          currency: invoice.currency,
          customerId: invoice.owner_id,
          cardToken: invoice.card!,
          attempt,
        }),
      );
    });
  }
}

/** payments.invoice-payment-succeeded → the invoice is paid; a tenant suspended for it is lifted. */
@Injectable()
@Consumes(InvoicePaymentSucceeded, 'saas.invoice-paid')
export class InvoicePaid implements IntegrationEventConsumer<InvoicePaymentSucceeded> {
  constructor(private readonly tenancy: Tenancy) {}

  async consume(event: InvoicePaymentSucceeded, tx: Tx): Promise<void> {
    const { tenantId, invoiceId } = event.payload;
    await tx.manager.query(
      `UPDATE saas.invoices SET status = 'paid', paid_at = now(), next_payment_at = NULL, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND status IN ('open', 'past_due')`,
      [tenantId, invoiceId],
    );
    const [lifted] = await tx.manager.query<[unknown[], number]>(
      `UPDATE saas.tenants t SET status = 'active', suspended_reason = NULL, updated_at = now()
        WHERE t.id = $1 AND t.status = 'suspended' AND t.suspended_reason = '${UNPAID}'
          AND NOT EXISTS (SELECT 1 FROM saas.invoices i WHERE i.tenant_id = t.id AND i.status = 'past_due')
        RETURNING t.id`,
      [tenantId],
    );
    if (lifted.length > 0) tx.afterCommit(() => this.tenancy.forget(tenantId));
  }
}

/** payments.invoice-payment-failed → past due, with the next retry (or none after the last). */
@Injectable()
@Consumes(InvoicePaymentFailed, 'saas.invoice-payment-failed')
export class InvoiceUnpaid implements IntegrationEventConsumer<InvoicePaymentFailed> {
  constructor(private readonly config: SaasConfig) {}

  async consume(event: InvoicePaymentFailed, tx: Tx): Promise<void> {
    const { tenantId, invoiceId, attempt } = event.payload;
    await tx.manager.query(
      `UPDATE saas.invoices SET status = 'past_due', updated_at = now(),
              next_payment_at = CASE WHEN $3 < $4 THEN now() + make_interval(secs => $5) END
        WHERE tenant_id = $1 AND id = $2 AND status = 'open' AND payment_attempts = $3`,
      [
        tenantId,
        invoiceId,
        attempt,
        this.config.SAAS_DUNNING_ATTEMPTS,
        this.config.SAAS_DUNNING_RETRY_SECONDS,
      ],
    );
  }
}
