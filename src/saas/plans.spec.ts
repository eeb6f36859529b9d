import fc from 'fast-check';
import { PLANS, priceUsage } from './plans.js';

const GIB = 2 ** 30;

describe('priceUsage', () => {
  it('charges only the fee within what the plan includes', () => {
    const lines = priceUsage(PLANS.pro, {
      api_calls: 100_000,
      storage_bytes: 10 * GIB,
      compute_seconds: 36_000,
    });
    expect(lines).toEqual([expect.objectContaining({ kind: 'flat', amount: 4_900 })]);
  });

  it('prices overage by started package, tier by tier (graduated)', () => {
    // 100,000 included; 1,000,001 calls over → 1,001 packages (the last one started): 900 × 20 + 101 × 10.
    const lines = priceUsage(PLANS.pro, { api_calls: 100_000 + 1_000_001 });
    expect(
      lines.filter((l) => l.meter === 'api_calls').map((l) => [l.quantity, l.unitAmount, l.amount]),
    ).toEqual([
      [900, 20, 18_000],
      [101, 10, 1_010],
    ]);
    const storage = priceUsage(PLANS.pro, { storage_bytes: 10 * GIB + 1 });
    expect(storage.at(-1)).toMatchObject({ meter: 'storage_bytes', quantity: 1, amount: 50 });
  });

  it('keeps every amount an integer and the lines summing to quantity × unit price', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(PLANS)),
        fc.nat({ max: 50_000_000 }),
        fc.nat({ max: 2_000 * GIB }),
        fc.nat({ max: 10_000_000 }),
        (plan, calls, bytes, seconds) => {
          const lines = priceUsage(plan, {
            api_calls: calls,
            storage_bytes: bytes,
            compute_seconds: seconds,
          });
          for (const l of lines) {
            expect(Number.isInteger(l.amount)).toBe(true);
            expect(l.amount).toBe(l.quantity * l.unitAmount);
          }
          const calls$ = lines
            .filter((l) => l.meter === 'api_calls')
            .reduce((s, l) => s + l.quantity, 0);
          const price = plan.prices.find((p) => p.meter === 'api_calls');
          expect(calls$).toBe(
            price ? Math.ceil(Math.max(0, calls - price.included) / price.packageSize) : 0,
          );
        },
      ),
    );
  });
});
