export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'past_due' | 'void';

/** A row of `saas.invoices`. */
export interface InvoiceRow {
  tenant_id: string;
  id: string;
  number: string;
  period_start: Date;
  period_end: Date;
  plan: string;
  status: InvoiceStatus;
  currency: string;
  /** bigint columns are read as strings. */
  subtotal: string;
  total: string;
  version: number;
  finalizes_at: Date;
  finalized_at: Date | null;
  paid_at: Date | null;
  /** Charges asked for so far (1 at finalizing, one more per dunning retry). */
  payment_attempts: number;
  next_payment_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A row of `saas.invoice_lines`. */
export interface InvoiceLineRow {
  tenant_id: string;
  invoice_id: string;
  position: number;
  kind: 'flat' | 'usage';
  meter: string | null;
  description: string;
  quantity: string;
  unit_amount: string;
  amount: string;
}
