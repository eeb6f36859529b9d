import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import {
  decodeCursor,
  RequestContext,
  TenantTransactions,
  toPage,
  type PageQuery,
} from '@app/platform';
import { SaasError } from '../saas.error.js';
import type { InvoiceLineRow, InvoiceRow } from './invoice.entity.js';
import { InvoiceLinks } from './invoice-links.js';
import { renderInvoice } from './invoice-page.js';
import { toInvoiceView, toLineView, type InvoiceDetail, type InvoicePage } from './invoices.dto.js';

export class ListInvoices extends Query<InvoicePage> {
  constructor(readonly page: PageQuery) {
    super();
  }
}

/** The current tenant's invoices, newest period first, under its RLS. */
@QueryHandler(ListInvoices)
export class ListInvoicesHandler implements IQueryHandler<ListInvoices> {
  constructor(
    private readonly tenantTx: TenantTransactions,
    private readonly links: InvoiceLinks,
  ) {}

  execute({ page }: ListInvoices): Promise<InvoicePage> {
    const after = decodeCursor<{ start: string; id: string }>(page.cursor, {
      start: 'timestamp',
      id: 'uuid',
    });
    return this.tenantTx.run(
      async ({ manager }) => {
        const rows = await manager.query<InvoiceRow[]>(
          `SELECT * FROM saas.invoices
          WHERE ($1::timestamptz IS NULL OR (period_start, id) < ($1, $2::uuid))
          ORDER BY period_start DESC, id DESC LIMIT $3`,
          [after?.start ?? null, after?.id ?? null, page.limit + 1],
        );
        return toPage(
          rows,
          page.limit,
          (r) => toInvoiceView(r, this.links.path(r.tenant_id, r.id)),
          (r) => ({ start: new Date(r.period_start).toISOString(), id: r.id }),
        );
      },
      { on: 'platform' },
    );
  }
}

/** An invoice with its lines, in the current tenant; 404 otherwise. */
export async function loadInvoice(tenantTx: TenantTransactions, id: string) {
  return tenantTx.run(
    async ({ manager }) => {
      const [invoice] = await manager.query<(InvoiceRow & { tenant_name: string })[]>(
        `SELECT * FROM saas.invoices WHERE id = $1`,
        [id],
      );
      if (!invoice)
        throw new SaasError('saas.invoice_not_found', `No invoice ${id} in this tenant.`);
      const lines = await manager.query<InvoiceLineRow[]>(
        `SELECT * FROM saas.invoice_lines WHERE invoice_id = $1 ORDER BY position`,
        [id],
      );
      return { invoice, lines };
    },
    { on: 'platform' },
  );
}

export class GetInvoice extends Query<InvoiceDetail> {
  constructor(readonly id: string) {
    super();
  }
}

@QueryHandler(GetInvoice)
export class GetInvoiceHandler implements IQueryHandler<GetInvoice> {
  constructor(
    private readonly tenantTx: TenantTransactions,
    private readonly links: InvoiceLinks,
  ) {}

  async execute({ id }: GetInvoice): Promise<InvoiceDetail> {
    const { invoice, lines } = await loadInvoice(this.tenantTx, id);
    return {
      ...toInvoiceView(invoice, this.links.path(invoice.tenant_id, invoice.id)),
      lines: lines.map(toLineView),
    };
  }
}

export class RenderInvoicePage extends Query<string> {
  constructor(
    readonly tenantId: string,
    readonly invoiceId: string,
    readonly token: string,
  ) {
    super();
  }
}

/** The signed page: the link is the grant (checked first), then the tenant's own transaction. */
@QueryHandler(RenderInvoicePage)
export class RenderInvoicePageHandler implements IQueryHandler<RenderInvoicePage> {
  constructor(
    private readonly tenantTx: TenantTransactions,
    private readonly links: InvoiceLinks,
    private readonly context: RequestContext,
  ) {}

  async execute({ tenantId, invoiceId, token }: RenderInvoicePage): Promise<string> {
    if (!this.links.verify(tenantId, invoiceId, token)) {
      throw new SaasError('saas.invoice_not_found', 'This invoice link is wrong or has expired.');
    }
    return this.context.run({ tenantId }, async () => {
      const { invoice, lines } = await loadInvoice(this.tenantTx, invoiceId);
      return renderInvoice(invoice, lines);
    });
  }
}
