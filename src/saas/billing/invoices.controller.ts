import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  PageQuery,
  Public,
  TenantScoped,
  UuidParam,
} from '@app/platform';
import { SAAS_ERRORS } from '../saas.error.js';
import { GetInvoice, ListInvoices, RenderInvoicePage } from './invoice-queries.js';
import { InvoiceDetail, InvoicePage } from './invoices.dto.js';

/** The current tenant's invoices, and their pages for people. */
@ApiTags('saas')
@Controller('v1/saas')
export class InvoicesController {
  constructor(private readonly queries: QueryBus) {}

  @Get('invoices')
  @Authenticated()
  @TenantScoped()
  @ApiOperation({
    summary: 'The current tenant’s invoices',
    description:
      'Newest period first. One per billing period: a `draft` during the grace period (late usage still counts), then final (`open`, `paid`). Totals are in minor units and equal the priced usage of the period’s raw events.',
  })
  @ApiOkResponse({ type: InvoicePage })
  @ApiProblems(SAAS_ERRORS, [], { validated: true })
  listInvoices(@Query() page: PageQuery): Promise<InvoicePage> {
    return this.queries.execute(new ListInvoices(page));
  }

  @Get('invoices/:id')
  @Authenticated()
  @TenantScoped()
  @ApiOperation({
    summary: 'An invoice with its lines',
    description: 'Flat fee, then usage above what the plan includes, tier by tier.',
  })
  @ApiOkResponse({ type: InvoiceDetail })
  @ApiProblems(SAAS_ERRORS, ['saas.invoice_not_found'])
  getInvoice(@UuidParam('id', 'The invoice id') id: string): Promise<InvoiceDetail> {
    return this.queries.execute(new GetInvoice(id));
  }

  @Get('invoice-pages/:tenantId/:invoiceId/:signature')
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'private, no-store')
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
  @ApiProduces('text/html')
  @ApiOperation({
    summary: 'An invoice as a page for people (the signed `htmlUrl`)',
    description:
      'No bearer token: the link is the grant, and it expires. A wrong or expired link → 404.',
  })
  @ApiParam({
    name: 'signature',
    description: 'The signed expiry ending `htmlUrl` (`v1.<expiry>.<HMAC>`)',
    schema: { type: 'string', maxLength: 60 },
  })
  @ApiOkResponse({
    description: 'The invoice page',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  @ApiProblems(SAAS_ERRORS, ['saas.invoice_not_found'])
  invoicePage(
    @UuidParam('tenantId', 'The tenant id') tenantId: string,
    @UuidParam('invoiceId', 'The invoice id') invoiceId: string,
    @Param('signature') signature: string,
  ): Promise<string> {
    return this.queries.execute(new RenderInvoicePage(tenantId, invoiceId, signature));
  }
}
