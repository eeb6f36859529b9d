import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SaasConfig } from '../saas.config.js';

/**
 * `v1.<tenant>.<invoice>.<exp>.<mac>` would put ids in logs; the link is instead
 * `<invoice id>/v1.<exp in base 36>.<HMAC-SHA256 over tenant, invoice and expiry>`: the same
 * shape as playback tokens, which the logs redact (`[signed]`). Stripe's hosted invoice page
 * works alike: a long unguessable link, no login.
 */
const TOKEN = /^v1\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;

@Injectable()
export class InvoiceLinks {
  constructor(private readonly config: SaasConfig) {}

  /** The page's path for an invoice of a tenant, valid for SAAS_INVOICE_LINK_TTL_SECONDS. */
  path(tenantId: string, invoiceId: string, now = Date.now()): string {
    const exp = (Math.floor(now / 1000) + this.config.SAAS_INVOICE_LINK_TTL_SECONDS).toString(36);
    const mac = this.mac(tenantId, invoiceId, exp).toString('base64url');
    return `/v1/saas/invoice-pages/${tenantId}/${invoiceId}/v1.${exp}.${mac}`;
  }

  verify(tenantId: string, invoiceId: string, token: string, now = Date.now()): boolean {
    const m = TOKEN.exec(token);
    if (!m) return false;
    if (parseInt(m[1]!, 36) * 1000 < now) return false;
    const given = Buffer.from(m[2]!, 'base64url');
    const expected = this.mac(tenantId, invoiceId, m[1]!);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(tenantId: string, invoiceId: string, exp: string): Buffer {
    return createHmac('sha256', this.config.SAAS_INVOICE_LINK_SECRET)
      .update(`${tenantId}/${invoiceId}/${exp}`)
      .digest();
  }
}
