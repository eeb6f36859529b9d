import { createTestApp, eventually, type TestApp } from '@app/testing';
import { SANDBOX_CARDS } from '../../src/payments/processor/sandbox-processor.js';
import { Invoicing } from '../../src/saas/billing/invoicing.js';
import { vaultCard } from '../payments/helpers.js';
import { newTenant, type TestTenant } from './helpers.js';

const PERIOD_SECONDS = 2;

/**
 * Final invoices are charged through payments' saga to the tenant owner's vaulted card: paid, or
 * past due with dunning retries, and a tenant past due long enough is suspended.
 */
describe('saas: invoice payment, dunning and suspension', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        SAAS_BILLING_PERIOD_SECONDS: String(PERIOD_SECONDS),
        SAAS_INVOICE_GRACE_SECONDS: '0',
        SAAS_BILLING_EVERY_MS: '3600000',
        SAAS_DUNNING_RETRY_SECONDS: '1',
        SAAS_DUNNING_ATTEMPTS: '2',
        SAAS_SUSPEND_PAST_DUE_SECONDS: '3',
        SAAS_TENANT_CACHE_MS: '0',
      },
    });
  });
  afterAll(() => t?.close());

  async function withCard(number: string): Promise<TestTenant> {
    const tenant = await newTenant(t, { plan: 'pro' });
    const card = await vaultCard(t, tenant.owner, number);
    const res = await t.request(
      'PATCH',
      `/v1/saas/tenants/${tenant.id}`,
      { billingCardToken: card.token },
      { token: tenant.owner.accessToken },
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().hasBillingCard).toBe(true);
    return tenant;
  }

  /** Closes until the tenant's first period has a final invoice; returns it. */
  async function firstInvoice(tenant: TestTenant) {
    const invoicing = t.resolve(Invoicing);
    return eventually(
      async () => {
        await invoicing.close();
        const [row] = await t.dataSource.query(
          `SELECT * FROM saas.invoices WHERE tenant_id = $1 AND status <> 'draft' ORDER BY period_start LIMIT 1`,
          [tenant.id],
        );
        expect(row).toBeDefined();
        return row as { id: string; status: string; total: string };
      },
      { timeout: 15_000, interval: 300 },
    );
  }

  it('charges a final invoice to the owner’s card and marks it paid', async () => {
    const tenant = await withCard(SANDBOX_CARDS.success);
    const invoice = await firstInvoice(tenant);
    expect(Number(invoice.total)).toBeGreaterThanOrEqual(4_900);
    await eventually(
      async () => {
        const res = await t.get(`/v1/saas/invoices/${invoice.id}`, { token: tenant.token });
        expect(res.json().status).toBe('paid');
        expect(res.json().paidAt).not.toBeNull();
      },
      { timeout: 15_000 },
    );
    const [saga] = await t.dataSource.query(
      `SELECT state, (data->>'amount')::bigint AS amount FROM payments.sagas WHERE kind = 'invoice_payment' AND data->>'invoiceId' = $1`,
      [invoice.id],
    );
    expect(saga).toEqual({ state: 'COMPLETED', amount: invoice.total });
  });

  it('retries a declined invoice, then suspends the tenant once it is past due long enough', async () => {
    const tenant = await withCard(SANDBOX_CARDS.declined);
    const invoice = await firstInvoice(tenant);
    const invoicing = t.resolve(Invoicing);
    await eventually(
      async () => {
        await invoicing.close();
        const [row] = await t.dataSource.query(
          `SELECT status, payment_attempts FROM saas.invoices WHERE tenant_id = $1 AND id = $2`,
          [tenant.id, invoice.id],
        );
        expect(row).toEqual({ status: 'past_due', payment_attempts: 2 });
      },
      { timeout: 20_000, interval: 300 },
    );
    const sagas = await t.dataSource.query(
      `SELECT data->>'attempt' AS attempt, state FROM payments.sagas WHERE kind = 'invoice_payment' AND data->>'invoiceId' = $1 ORDER BY 1`,
      [invoice.id],
    );
    expect(sagas.map((s: { attempt: string }) => s.attempt)).toEqual(['1', '2']);
    await eventually(
      async () => {
        await invoicing.close();
        const res = await t.get('/v1/saas/projects', { token: tenant.token });
        expect(res.statusCode).toBe(403);
        expect(res.json().code).toBe('platform.tenant_suspended');
      },
      { timeout: 20_000, interval: 500 },
    );
    const [row] = await t.dataSource.query(
      `SELECT status, suspended_reason FROM saas.tenants WHERE id = $1`,
      [tenant.id],
    );
    expect(row).toEqual({ status: 'suspended', suspended_reason: 'an unpaid invoice' });
  });

  it('makes a tenant without a card past due at once (nothing is charged)', async () => {
    const tenant = await newTenant(t, { plan: 'pro' });
    const invoice = await firstInvoice(tenant);
    expect(invoice.status).toBe('past_due');
    const sagas = await t.dataSource.query(
      `SELECT 1 FROM payments.sagas WHERE data->>'invoiceId' = $1`,
      [invoice.id],
    );
    expect(sagas).toEqual([]);
  });
});
