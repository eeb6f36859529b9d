export type Verdict = 'allow' | 'review' | 'deny';
export type Subject = 'card' | 'account' | 'customer';

/**
 * Fraud rules are data (PAYMENTS_FRAUD_RULES as JSON), not code branches:
 * - `amount_over`: one payment above `amount`;
 * - `velocity`: more than `over` payments (`measure: count`) or minor units (`measure: amount`)
 *   per card / account / customer within `windowSeconds`, counting this one;
 * - `new_account`: an account younger than `maxAgeHours` moving more than `amountOver`.
 */
export type FraudRule = { id: string; verdict: Exclude<Verdict, 'allow'>; score: number } & (
  | { type: 'amount_over'; amount: number }
  | {
      type: 'velocity';
      subject: Subject;
      measure: 'count' | 'amount';
      windowSeconds: number;
      over: number;
    }
  | { type: 'new_account'; maxAgeHours: number; amountOver: number }
);

export const DEFAULT_FRAUD_RULES: FraudRule[] = [
  {
    id: 'single-payment-limit',
    type: 'amount_over',
    amount: 1_000_000,
    verdict: 'deny',
    score: 90,
  },
  {
    id: 'card-count-1h',
    type: 'velocity',
    subject: 'card',
    measure: 'count',
    windowSeconds: 3600,
    over: 20,
    verdict: 'review',
    score: 40,
  },
  {
    id: 'card-amount-24h',
    type: 'velocity',
    subject: 'card',
    measure: 'amount',
    windowSeconds: 86_400,
    over: 2_000_000,
    verdict: 'deny',
    score: 80,
  },
  {
    id: 'account-count-1h',
    type: 'velocity',
    subject: 'account',
    measure: 'count',
    windowSeconds: 3600,
    over: 600,
    verdict: 'deny',
    score: 70,
  },
  {
    id: 'customer-amount-24h',
    type: 'velocity',
    subject: 'customer',
    measure: 'amount',
    windowSeconds: 86_400,
    over: 5_000_000,
    verdict: 'deny',
    score: 80,
  },
  {
    id: 'new-account-large',
    type: 'new_account',
    maxAgeHours: 24,
    amountOver: 500_000,
    verdict: 'review',
    score: 30,
  },
];

/** Parses and checks PAYMENTS_FRAUD_RULES; throws naming the bad rule. */
export function parseFraudRules(json: string | undefined): FraudRule[] {
  if (!json) return DEFAULT_FRAUD_RULES;
  const rules = JSON.parse(json) as FraudRule[];
  if (!Array.isArray(rules)) throw new Error('PAYMENTS_FRAUD_RULES must be a JSON array');
  for (const r of rules) {
    const ok =
      typeof r.id === 'string' &&
      (r.verdict === 'review' || r.verdict === 'deny') &&
      typeof r.score === 'number' &&
      ((r.type === 'amount_over' && Number.isInteger(r.amount)) ||
        (r.type === 'velocity' &&
          ['card', 'account', 'customer'].includes(r.subject) &&
          ['count', 'amount'].includes(r.measure) &&
          r.windowSeconds > 0 &&
          Number.isInteger(r.over)) ||
        (r.type === 'new_account' && r.maxAgeHours > 0 && Number.isInteger(r.amountOver)));
    if (!ok)
      throw new Error(`PAYMENTS_FRAUD_RULES: rule ${JSON.stringify(r.id ?? r)} is malformed`);
  }
  return rules;
}
