import { DEFAULT_FRAUD_RULES, parseFraudRules } from './fraud-rules.js';

const velocity = {
  id: 'r',
  type: 'velocity',
  verdict: 'deny',
  score: 50,
  windowSeconds: 60,
  over: 3,
};

describe('fraud rules (PAYMENTS_FRAUD_RULES)', () => {
  it('defaults to the built-in rules, all of which parse', () => {
    expect(parseFraudRules(undefined)).toBe(DEFAULT_FRAUD_RULES);
    expect(parseFraudRules(JSON.stringify(DEFAULT_FRAUD_RULES))).toEqual(DEFAULT_FRAUD_RULES);
  });

  it('blocks, not only flags, on every velocity rule of the defaults', () => {
    const windows = DEFAULT_FRAUD_RULES.filter((r) => r.type === 'velocity');
    expect(windows.every((r) => r.verdict === 'deny')).toBe(true);
  });

  it.each([
    [{ ...velocity, subject: 'card', measure: 'count' }, 'only measure "amount"'],
    [{ ...velocity, subject: 'wallet', measure: 'count' }, 'needs a subject'],
    [{ ...velocity, subject: 'customer', measure: 'count', kinds: ['refund'] }, 'kinds outside'],
    [{ ...velocity, subject: 'customer', measure: 'count', amountUnder: 0 }, 'amountUnder'],
    [{ id: 'x', type: 'amount_over', verdict: 'allow', score: 1, amount: 5 }, 'a verdict'],
    [{ id: 'x', type: 'guess', verdict: 'deny', score: 1 }, 'unknown type'],
  ])('refuses %j, saying why', (rule, why) => {
    expect(() => parseFraudRules(JSON.stringify([rule]))).toThrow(why);
  });

  it('takes a card rule across customers that measures approved volume', () => {
    const rule = { ...velocity, subject: 'card', measure: 'amount' };
    expect(parseFraudRules(JSON.stringify([rule]))).toEqual([rule]);
  });
});
