import { money } from './money.js';

describe('money(): minor units as text, in the currency’s own minor units', () => {
  it('two-decimal currencies: 1999 cents are 19.99', () => {
    expect(money(1999, 'EUR')).toBe('19.99 EUR');
    expect(money(4200, 'EUR')).toBe('42.00 EUR');
    expect(money(5, 'USD')).toBe('0.05 USD');
  });

  it('zero-decimal currencies: 1999 yen are 1,999 yen, not 19.99', () => {
    expect(money(1999, 'JPY')).toBe('1,999 JPY');
    expect(money(500, 'KRW')).toBe('500 KRW');
  });

  it('three-decimal currencies: 1999 fils are 1.999 dinars', () => {
    expect(money(1999, 'KWD')).toBe('1.999 KWD');
    expect(money(1000, 'BHD')).toBe('1.000 BHD');
  });

  it('groups thousands', () => {
    expect(money(123456789, 'EUR')).toBe('1,234,567.89 EUR');
  });

  it('refuses a code that is not a currency code', () => {
    expect(() => money(100, 'EU')).toThrow(RangeError);
  });
});
