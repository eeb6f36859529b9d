import { brandOf, expired, luhnValid } from './card-rules.js';

describe('card rules', () => {
  it('checks Luhn', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('4242')).toBe(false);
    expect(luhnValid('42424242424242a2')).toBe(false);
  });

  it('detects brands', () => {
    expect(brandOf('4242424242424242')).toBe('visa');
    expect(brandOf('5555555555554444')).toBe('mastercard');
    expect(brandOf('378282246310005')).toBe('amex');
  });

  it('treats the expiry month as valid until it ends', () => {
    const now = new Date('2026-11-23T00:00:00Z');
    expect(expired(11, 2026, now)).toBe(false);
    expect(expired(10, 2026, now)).toBe(true);
    expect(expired(1, 2025, now)).toBe(true);
  });
});
