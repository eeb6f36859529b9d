/** Digits after the decimal point per currency (ISO 4217 minor units), as Intl knows them. */
const minorUnits = new Map<string, number>();

function digitsOf(currency: string): number {
  let digits = minorUnits.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    minorUnits.set(currency, digits);
  }
  return digits;
}

/**
 * An amount in minor units as message text, in the currency's own minor units:
 * `money(1999, 'EUR')` → `19.99 EUR`, `money(1999, 'JPY')` → `1,999 JPY`,
 * `money(1999, 'KWD')` → `1.999 KWD`. The ISO code follows the number (as the messages always
 * wrote it) rather than a symbol, which is ambiguous across currencies ($, kr).
 * Throws a RangeError for a code that is not three letters (events carry ISO 4217 codes).
 */
export function money(minor: number, currency: string): string {
  const digits = digitsOf(currency);
  const amount = new Intl.NumberFormat('en', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
  return `${amount} ${currency}`;
}
