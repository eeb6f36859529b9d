export type Verdict = 'allow' | 'review' | 'deny';

/**
 * Whose payments a velocity window holds:
 * - `customer`: all of one customer's payments (cards and wallets);
 * - `account`: one wallet's (the source of a transfer, the destination of a top-up);
 * - `customer_card`: one customer's payments with one card (its fingerprint);
 * - `card`: one card number across every customer who vaulted it — approved volume only
 *   (`measure: amount`), so that nobody can block a card for its other holders with attempts.
 */
export type Subject = 'customer' | 'account' | 'customer_card' | 'card';

/** The saga kinds the fraud check runs for. */
export type PaymentKind =
  'transfer' | 'top_up' | 'order_payment' | 'subscription_payment' | 'invoice_payment';
const PAYMENT_KINDS: PaymentKind[] = [
  'transfer',
  'top_up',
  'order_payment',
  'subscription_payment',
  'invoice_payment',
];

/**
 * Fraud rules are data (PAYMENTS_FRAUD_RULES as JSON), not code branches:
 * - `amount_over`: one payment above `amount`;
 * - `velocity`: more than `over` payments (`measure: count`) or minor units (`measure: amount`)
 *   per subject within `windowSeconds`, counting this one; optionally only payments of some
 *   `kinds` and only those below `amountUnder`. A payment enters the windows only if the check
 *   does not deny it, and leaves the amount windows if it fails later (declined, refused, expired):
 *   count windows hold every attempt that got past the check, amount windows money held or moved;
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
      kinds?: PaymentKind[];
      amountUnder?: number;
    }
  | { type: 'new_account'; maxAgeHours: number; amountOver: number }
);

const HOUR = 3600;
const DAY = 86_400;

/** Every verdict blocks except `new-account-large`'s (see README › Payments › Fraud rules). */
export const DEFAULT_FRAUD_RULES: FraudRule[] = [
  {
    id: 'single-payment-limit',
    type: 'amount_over',
    amount: 1_000_000,
    verdict: 'deny',
    score: 90,
  },
  // Card testing: a burst of tiny card charges (a card network's minimum charge is about 50
  // cents; below that, amounts test cards rather than buy anything).
  {
    id: 'small-card-payments-1h',
    type: 'velocity',
    subject: 'customer',
    measure: 'count',
    kinds: ['top_up', 'order_payment'],
    amountUnder: 100,
    windowSeconds: HOUR,
    over: 3,
    verdict: 'deny',
    score: 70,
  },
  {
    id: 'top-up-count-1h',
    type: 'velocity',
    subject: 'account',
    measure: 'count',
    kinds: ['top_up'],
    windowSeconds: HOUR,
    over: 10,
    verdict: 'deny',
    score: 60,
  },
  {
    id: 'card-count-1h',
    type: 'velocity',
    subject: 'customer_card',
    measure: 'count',
    windowSeconds: HOUR,
    over: 20,
    verdict: 'deny',
    score: 60,
  },
  {
    id: 'card-amount-24h',
    type: 'velocity',
    subject: 'customer_card',
    measure: 'amount',
    windowSeconds: DAY,
    over: 2_000_000,
    verdict: 'deny',
    score: 80,
  },
  {
    id: 'card-volume-24h',
    type: 'velocity',
    subject: 'card',
    measure: 'amount',
    windowSeconds: DAY,
    over: 5_000_000,
    verdict: 'deny',
    score: 80,
  },
  {
    id: 'account-count-1h',
    type: 'velocity',
    subject: 'account',
    measure: 'count',
    windowSeconds: HOUR,
    over: 600,
    verdict: 'deny',
    score: 70,
  },
  {
    id: 'customer-amount-24h',
    type: 'velocity',
    subject: 'customer',
    measure: 'amount',
    windowSeconds: DAY,
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

/** Parses and checks PAYMENTS_FRAUD_RULES; throws naming the bad rule and why. */
export function parseFraudRules(json: string | undefined): FraudRule[] {
  if (!json) return DEFAULT_FRAUD_RULES;
  const rules = JSON.parse(json) as FraudRule[];
  if (!Array.isArray(rules)) throw new Error('PAYMENTS_FRAUD_RULES must be a JSON array');
  for (const r of rules) {
    const problem = ruleProblem(r);
    if (problem)
      throw new Error(`PAYMENTS_FRAUD_RULES: rule ${JSON.stringify(r.id ?? r)} ${problem}`);
  }
  return rules;
}

function ruleProblem(r: FraudRule): string | undefined {
  if (typeof r.id !== 'string' || !(r.verdict === 'review' || r.verdict === 'deny'))
    return 'needs an id and a verdict of review or deny';
  if (typeof r.score !== 'number') return 'needs a numeric score';
  switch (r.type) {
    case 'amount_over':
      return Number.isInteger(r.amount) ? undefined : 'needs an integer amount';
    case 'new_account':
      return r.maxAgeHours > 0 && Number.isInteger(r.amountOver)
        ? undefined
        : 'needs maxAgeHours > 0 and an integer amountOver';
    case 'velocity':
      if (
        !['customer', 'account', 'customer_card', 'card'].includes(r.subject) ||
        !['count', 'amount'].includes(r.measure) ||
        !(r.windowSeconds > 0) ||
        !Number.isInteger(r.over)
      )
        return 'needs a subject, a measure, windowSeconds > 0 and an integer over';
      if (r.subject === 'card' && r.measure !== 'amount')
        return 'counts a card across customers: only measure "amount" (approved volume) may';
      if (
        r.kinds !== undefined &&
        !(Array.isArray(r.kinds) && r.kinds.every((k) => PAYMENT_KINDS.includes(k)))
      )
        return `has kinds outside ${PAYMENT_KINDS.join(', ')}`;
      if (r.amountUnder !== undefined && !(Number.isInteger(r.amountUnder) && r.amountUnder > 0))
        return 'needs a positive integer amountUnder';
      return undefined;
    default:
      return 'has an unknown type';
  }
}
