import { Injectable } from '@nestjs/common';
import { ContextRedis, Metrics } from '@app/platform';
import type { EntityManager } from 'typeorm';
import { PaymentsConfig } from '../payments.config.js';
import type { FraudDecisionRow, FraudRuleHit } from './fraud-decision.entity.js';
import { parseFraudRules, type FraudRule, type Subject, type Verdict } from './fraud-rules.js';

export interface FraudContext {
  /** The saga being checked: re-evaluating it after a crash does not count it twice. */
  paymentId: string;
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

const WINDOW = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local sum = 0
for _, m in ipairs(members) do sum = sum + tonumber(string.match(m, ':(%d+)$')) end
return { #members, sum }`;

const SEVERITY: Record<Verdict, number> = { allow: 0, review: 1, deny: 2 };

/**
 * Evaluates every rule; the decision is the most severe verdict hit, the score the highest score.
 * Rolling windows are Redis sorted sets (`payments:fraud:<rule>:<subject>`, the context prefix
 * added by ContextRedis to the script's KEYS) holding `<paymentId>:<amount>` members scored by
 * time.
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
    const hits: FraudDecision['rules'] = [];
    for (const rule of this.rules) {
      switch (rule.type) {
        case 'amount_over':
          if (ctx.amount > rule.amount)
            hits.push({
              id: rule.id,
              verdict: rule.verdict,
              score: rule.score,
              observed: ctx.amount,
            });
          break;
        case 'new_account': {
          const ageHours = ctx.accountCreatedAt
            ? (Date.now() - ctx.accountCreatedAt.getTime()) / 3_600_000
            : Infinity;
          if (ageHours < rule.maxAgeHours && ctx.amount > rule.amountOver)
            hits.push({
              id: rule.id,
              verdict: rule.verdict,
              score: rule.score,
              observed: ctx.amount,
            });
          break;
        }
        case 'velocity': {
          const subject = this.subject(ctx, rule.subject);
          if (!subject) break;
          const [count, sum] = (await this.redis.client.eval(
            WINDOW,
            1,
            this.redis.key('fraud', rule.id, subject),
            Date.now(),
            rule.windowSeconds * 1000,
            `${ctx.paymentId}:${ctx.amount}`,
          )) as [number, number];
          const observed = rule.measure === 'count' ? count : sum;
          if (observed > rule.over)
            hits.push({ id: rule.id, verdict: rule.verdict, score: rule.score, observed });
          break;
        }
      }
    }
    const verdict = hits.reduce<Verdict>(
      (v, h) => (SEVERITY[h.verdict] > SEVERITY[v] ? h.verdict : v),
      'allow',
    );
    return { verdict, score: Math.max(0, ...hits.map((h) => h.score)), rules: hits };
  }

  /** Keeps the decision on a saga; re-evaluating it after a crash keeps the first. */
  async record(manager: EntityManager, sagaId: string, decision: FraudDecision): Promise<void> {
    this.metrics.fraudVerdicts.inc({ verdict: decision.verdict });
    const row: Omit<FraudDecisionRow, 'created_at'> = {
      saga_id: sagaId,
      verdict: decision.verdict,
      score: decision.score,
      rules: decision.rules,
    };
    await manager.query(
      `INSERT INTO payments.fraud_decisions (saga_id, verdict, score, rules) VALUES ($1, $2, $3, $4) ON CONFLICT (saga_id) DO NOTHING`,
      [row.saga_id, row.verdict, row.score, JSON.stringify(row.rules)],
    );
  }

  private subject(ctx: FraudContext, subject: Subject): string | undefined {
    switch (subject) {
      case 'card':
        return ctx.cardFingerprint;
      case 'account':
        return ctx.accountId;
      case 'customer':
        return ctx.customerId;
    }
  }
}
