import { ApiProperty } from '@nestjs/swagger';
import { ContextSchema } from '@app/platform';
import type { InvoiceLineRow, InvoiceRow } from './invoice.entity.js';

const EXAMPLE_ID = '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69';
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

@ContextSchema('saas')
export class InvoiceLineView {
  @ApiProperty({ enum: ['flat', 'usage'], example: 'usage' }) kind: string;
  @ApiProperty({ type: String, nullable: true, example: 'api_calls' }) meter: string | null;
  @ApiProperty({ example: '1,000 API calls over 100,000 calls included, tier 1' })
  description: string;
  @ApiProperty({ example: 12, description: 'Packages (or 1 for a flat fee)' }) quantity: number;
  @ApiProperty({ example: 20, description: 'Minor units per package' }) unitAmount: number;
  @ApiProperty({ example: 240, description: 'Minor units' }) amount: number;
}

@ContextSchema('saas')
export class InvoiceView {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) id: string;
  @ApiProperty({ example: 'ACME-0001' }) number: string;
  @ApiProperty({
    enum: ['draft', 'open', 'paid', 'past_due', 'void'],
    example: 'open',
    description: '`draft` during the grace period for late usage, then final: `open` until paid',
  })
  status: string;
  @ApiProperty({ example: 'pro' }) plan: string;
  @ApiProperty({ example: '2026-11-01T00:00:00.000Z' }) periodStart: string;
  @ApiProperty({ example: '2026-12-01T00:00:00.000Z' }) periodEnd: string;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ example: 5140, description: 'Minor units: the sum of the lines' }) total: number;
  @ApiProperty({ example: '2026-12-01T01:00:00.000Z', description: 'When the draft becomes final' })
  finalizesAt: string;
  @ApiProperty({ type: String, nullable: true, example: '2026-12-01T01:00:03.000Z' }) finalizedAt:
    string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) paidAt: string | null;
  @ApiProperty({
    example:
      '/v1/saas/invoice-pages/0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69/0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69/v1.mz8k2p.Vx1bQm7cS0kq3y9ZfT2lW4nA6rD8eH1jK5oP7sU0vXw',
    description: 'The invoice as a page a person reads in a browser (no login; the link expires)',
  })
  htmlUrl: string;
}

@ContextSchema('saas')
export class InvoiceDetail extends InvoiceView {
  @ApiProperty({ type: [InvoiceLineView] }) lines: InvoiceLineView[];
}

@ContextSchema('saas')
export class InvoicePage {
  @ApiProperty({ type: [InvoiceView] }) items: InvoiceView[];
  @ApiProperty({ type: String, nullable: true, example: null }) nextCursor: string | null;
}

export const toInvoiceView = (r: InvoiceRow, htmlUrl: string): InvoiceView => ({
  id: r.id,
  number: r.number,
  status: r.status,
  plan: r.plan,
  periodStart: iso(r.period_start)!,
  periodEnd: iso(r.period_end)!,
  currency: r.currency,
  total: Number(r.total),
  finalizesAt: iso(r.finalizes_at)!,
  finalizedAt: iso(r.finalized_at),
  paidAt: iso(r.paid_at),
  htmlUrl,
});

export const toLineView = (l: InvoiceLineRow): InvoiceLineView => ({
  kind: l.kind,
  meter: l.meter,
  description: l.description,
  quantity: Number(l.quantity),
  unitAmount: Number(l.unit_amount),
  amount: Number(l.amount),
});
