import { BullModule } from '@nestjs/bullmq';
import type { SaasPart } from '../saas-part.js';
import { BILLING_QUEUE, BillingProcessor } from './billing.processor.js';
import { Dunning, InvoicePaid, InvoiceUnpaid } from './dunning.js';
import {
  GetInvoiceHandler,
  ListInvoicesHandler,
  RenderInvoicePageHandler,
} from './invoice-queries.js';
import { InvoiceLinks } from './invoice-links.js';
import { InvoicesController } from './invoices.controller.js';
import { Invoicing } from './invoicing.js';

/** billing: period close (drafts, grace, finals), invoices and their pages. */
export const BILLING_PART: SaasPart = {
  imports: [BullModule.registerQueue({ name: BILLING_QUEUE })],
  controllers: [InvoicesController],
  providers: [
    Invoicing,
    Dunning,
    InvoicePaid,
    InvoiceUnpaid,
    InvoiceLinks,
    BillingProcessor,
    ListInvoicesHandler,
    GetInvoiceHandler,
    RenderInvoicePageHandler,
  ],
};
