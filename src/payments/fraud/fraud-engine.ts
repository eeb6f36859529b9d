import { Injectable } from '@nestjs/common';
import { ContextRedis, Metrics } from '@app/platform';
import type { EntityManager } from 'typeorm';
import { PaymentsConfig } from '../payments.config.js';
import type { FraudDecisionRow, FraudRuleHit } from './fraud-decision.entity.js';
import {
  parseFraudRules,
  type FraudRule,
  type PaymentKind,
  type Subject,
  type Verdict,
} from './fraud-rules.js';

export interface FraudContext {
  /** The saga being checked: re-evaluating it after a crash does not count it twice. */
  paymentId: string;
  kind: PaymentKind;
  amount: number;
  customerId: string;
  accountId?: string;
  /** The card's HMAC fingerprint (never the number). */
  cardFingerprint?: string;
  accountCreatedAt?: Date;
}

export interface FraudDecision {
  verdict: Verdict;
  score: number;
  rules: FraudRuleHit[];
}

type VelocityRule = Extract<FraudRule, { type: 'velocity' }>;

/**
 * Every velocity window of one payment in one atomic step: each window is trimmed to its
 * length and measured with this payment in it (but only once, should it already be there after
 * a crash); the payment is added to all of them only if no denying rule is over its limit (nor
 * ARGV[4], a denial by a rule without a window), and taken out of them otherwise (a re-check
 * after a crash that now denies). Returns what each window measured.
 *   KEYS: the windows. ARGV: now ms, member `<paymentId>:<amount>`, amount, denied (0/1), then
 *   per window: length ms, measures amount (0/1), over, denies (0/1).
 */
const WINDOWS = `
local now, member, amount = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local denied = ARGV[4] == '1'
local observed = {}
for i, key in ipairs(KEYS) do
  local at = 4 + (i - 1) * 4
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - tonumber(ARGV[at + 1]))
  local value
  if ARGV[at + 2] == '1' then
    value = amount
    for _, m in ipairs(redis.call('ZRANGE', key, 0, -1)) do
      if m ~= member then value = value + tonumber(string.match(m, ':(%d+)$')) end
    end
  else
    value = redis.call('ZCARD', key) + 1
    if redis.call('ZSCORE', key, member) then value = value - 1 end
  end
  observed[i] = value
  if ARGV[at + 4] == '1' and value > tonumber(ARGV[at + 3]) then denied = true end
end
for i, key in ipairs(KEYS) do
  if denied then
    redis.call('ZREM', key, member)
  else
    redis.call('ZADD', key, 'NX', now, member)
    redis.call('PEXPIRE', key, ARGV[4 + (i - 1) * 4 + 1])
  end
end
return observed`;

/** A decision as a saga's history says it: `review (score 40: big-amount)`. */
export function describeDecision(decision: FraudDecision): string {
  const rules = decision.rules.map((r) => r.id).join(', ');
  return `${decision.verdict} (score ${decision.score}${rules ? `: ${rules}` : ''})`;
}

const SEVERITY: Record<Verdict, number> = { allow: 0, review: 1, deny: 2 };

/**
 * Evaluates every rule; the decision is the most severe verdict hit, the score the highest score.
 * Rolling windows are Redis sorted sets (`payments:fraud:<rule>:<subject>`, the context prefix
 * added by ContextRedis to the script's KEYS) holding `<paymentId>:<amount>` members scored by
 * time. What enters them, and when a payment leaves them, is described in fraud-rules.ts.
 */
@Injectable()
export class FraudEngine {
  private readonly rules: FraudRule[];

  constructor(
    config: PaymentsConfig,
    private readonly redis: ContextRedis,
    private readonly metrics: Metrics,
  ) {
    this.rules = parseFraudRules(config.PAYMENTS_FRAUD_RULES);
  }

  async evaluate(ctx: FraudContext): Promise<FraudDecision> {
    const hits: FraudRuleHit[] = [];
    for (const rule of this.rules) {
      const observed = this.observedWithoutWindow(rule, ctx);
      if (observed !== undefined) hits.push(hit(rule, observed));
    }
    const windows = this.windowsOf(ctx);
    if (windows.length) {
      const observed = (await this.redis.client.eval(
        WINDOWS,
        windows.length,
        ...windows.map((w) => w.key),
        Date.now(),
        member(ctx),
        ctx.amount,
        hits.some((h) => h.verdict === 'deny') ? 1 : 0,
        ...windows.flatMap(({ rule }) => [
          rule.windowSeconds * 1000,
          rule.measure === 'amount' ? 1 : 0,
          rule.over,
          rule.verdict === 'deny' ? 1 : 0,
        ]),
      )) as number[];
      windows.forEach(({ rule }, i) => {
        if (observed[i]! > rule.over) hits.push(hit(rule, observed[i]!));
      });
    }
    const verdict = hits.reduce<Verdict>(
      (v, h) => (SEVERITY[h.verdict] > SEVERITY[v] ? h.verdict : v),
      'allow',
    );
    return { verdict, score: Math.max(0, ...hits.map((h) => h.score)), rules: hits };
  }

  /**
   * A payment the check let through failed afterwards (declined, hold refused or expired): it
   * leaves the amount windows — they hold money held or moved — and stays in the count windows,
   * where repeated failures are what card testing looks like.
   */
  release(ctx: FraudContext): Promise<void> {
    return this.leave(ctx, (rule) => rule.measure === 'amount');
  }

  /**
   * A payment that was evaluated and then never happened (its reference turned out to be taken):
   * it leaves every window, count windows too.
   */
  forget(ctx: FraudContext): Promise<void> {
    return this.leave(ctx, () => true);
  }

  /** Takes the payment out of its windows whose rule `which` picks. */
  private async leave(ctx: FraudContext, which: (rule: VelocityRule) => boolean): Promise<void> {
    const keys = this.windowsOf(ctx)
      .filter((w) => which(w.rule))
      .map((w) => w.key);
    if (!keys.length) return;
    const pipeline = this.redis.client.pipeline();
    for (const key of keys) pipeline.zrem(key, member(ctx));
    await pipeline.exec();
  }

  /** Keeps the decision on a saga; re-evaluating it after a crash keeps the first. */
  record(manager: EntityManager, sagaId: string, decision: FraudDecision): Promise<void> {
    return this.recordMany(manager, [{ sagaId, decision }]);
  }

  /** Decisions of many sagas in one statement (a group commit's), each as `record`. */
  async recordMany(
    manager: EntityManager,
    decisions: { sagaId: string; decision: FraudDecision }[],
  ): Promise<void> {
    if (!decisions.length) return;
    for (const { decision } of decisions)
      this.metrics.fraudVerdicts.inc({ verdict: decision.verdict });
    const rows: Omit<FraudDecisionRow, 'created_at'>[] = decisions.map(({ sagaId, decision }) => ({
      saga_id: sagaId,
      verdict: decision.verdict,
      score: decision.score,
      rules: decision.rules,
    }));
    await manager.query(
      `INSERT INTO payments.fraud_decisions (saga_id, verdict, score, rules)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::jsonb[]) ON CONFLICT (saga_id) DO NOTHING`,
      [
        rows.map((r) => r.saga_id),
        rows.map((r) => r.verdict),
        rows.map((r) => r.score),
        rows.map((r) => JSON.stringify(r.rules)),
      ],
    );
  }

  /** What a rule without a window observed when it is hit; undefined when it is not. */
  private observedWithoutWindow(rule: FraudRule, ctx: FraudContext): number | undefined {
    switch (rule.type) {
      case 'amount_over':
        return ctx.amount > rule.amount ? ctx.amount : undefined;
      case 'new_account': {
        const ageHours = ctx.accountCreatedAt
          ? (Date.now() - ctx.accountCreatedAt.getTime()) / 3_600_000
          : Infinity;
        return ageHours < rule.maxAgeHours && ctx.amount > rule.amountOver ? ctx.amount : undefined;
      }
      case 'velocity':
        return undefined;
    }
  }

  /** The windows this payment belongs in: rules of its kind and size with a subject it has. */
  private windowsOf(ctx: FraudContext): { rule: VelocityRule; key: string }[] {
    const windows: { rule: VelocityRule; key: string }[] = [];
    for (const rule of this.rules) {
      if (rule.type !== 'velocity') continue;
      if (rule.kinds && !rule.kinds.includes(ctx.kind)) continue;
      if (rule.amountUnder !== undefined && ctx.amount >= rule.amountUnder) continue;
      const subject = subjectOf(ctx, rule.subject);
      if (subject) windows.push({ rule, key: this.redis.key('fraud', rule.id, subject) });
    }
    return windows;
  }
}

function hit(rule: FraudRule, observed: number): FraudRuleHit {
  return { id: rule.id, verdict: rule.verdict, score: rule.score, observed };
}

const member = (ctx: FraudContext) => `${ctx.paymentId}:${ctx.amount}`;

function subjectOf(ctx: FraudContext, subject: Subject): string | undefined {
  switch (subject) {
    case 'customer':
      return ctx.customerId;
    case 'account':
      return ctx.accountId;
    case 'customer_card':
      return ctx.cardFingerprint && `${ctx.customerId}:${ctx.cardFingerprint}`;
    case 'card':
      return ctx.cardFingerprint;
  }
}
