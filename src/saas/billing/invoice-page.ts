import type { InvoiceLineRow, InvoiceRow } from './invoice.entity.js';

const escape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Minor units as money: 5140 EUR → €51.40 (the currency's own number of decimals). */
export function formatMoney(minor: number, currency: string): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

const day = (d: Date) => new Date(d).toISOString().slice(0, 10);

/** The invoice as a small self-contained HTML page (no scripts, no external assets). */
export function renderInvoice(invoice: InvoiceRow, lines: InvoiceLineRow[]): string {
  const money = (n: string | number) => escape(formatMoney(Number(n), invoice.currency));
  const rows = lines
    .map(
      (l) =>
        `<tr><td>${escape(l.description)}</td><td class="n">${Number(l.quantity).toLocaleString('en')}</td>` +
        `<td class="n">${money(l.unit_amount)}</td><td class="n">${money(l.amount)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice ${escape(invoice.number)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
table{width:100%;border-collapse:collapse}td,th{padding:.4rem;border-bottom:1px solid #ddd;text-align:left}
.n{text-align:right}.total td{font-weight:600;border-bottom:0}.status{text-transform:uppercase;font-size:12px;letter-spacing:.05em}</style>
</head><body>
<h1>Invoice ${escape(invoice.number)}</h1>
<p class="status">${escape(invoice.status)}</p>
<p>Period ${day(invoice.period_start)} to ${day(invoice.period_end)} (end exclusive, UTC) · plan ${escape(invoice.plan)}</p>
<table><thead><tr><th>Item</th><th class="n">Quantity</th><th class="n">Unit price</th><th class="n">Amount</th></tr></thead>
<tbody>
${rows}
<tr class="total"><td colspan="3">Total</td><td class="n">${money(invoice.total)}</td></tr>
</tbody></table>
</body></html>`;
}
