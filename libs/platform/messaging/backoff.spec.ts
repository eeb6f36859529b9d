import { backoffMs } from './backoff.js';

describe('backoffMs', () => {
  it('doubles per attempt within [d/2, d]', () => {
    expect(backoffMs(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffMs(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffMs(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffMs(4, 100, 10_000, () => 0)).toBe(400);
  });

  it('is capped', () => {
    expect(backoffMs(30, 100, 5_000, () => 1)).toBe(5_000);
  });
});
