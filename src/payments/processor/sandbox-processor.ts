import { Injectable } from '@nestjs/common';
import { ContextRedis } from '@app/platform';
import { randomBytes } from 'node:crypto';
import {
  PaymentProcessor,
  ProcessorTimeout,
  type CardDetails,
  type ChargeResult,
  type ChargeStatus,
  type DeclineReason,
  type RefundResult,
} from './processor.port.js';
import { PaymentsConfig } from '../payments.config.js';

/**
 * Test cards, like the public ones of card processors. Anything else that passes Luhn succeeds.
 * `timeout` captures the money but never answers (the caller must ask `status`);
 * `timeoutNotCaptured` loses the request before the network sees it (status: not found);
 * `slow-decline` answers after ten times the latency with a processing error.
 */
export const SANDBOX_CARDS = {
  success: '4242424242424242',
  successMastercard: '5555555555554444',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  fraudulent: '4100000000000019',
  timeout: '4000000000000119',
  timeoutNotCaptured: '4000000000000101',
  slowDecline: '4000000000000259',
} as const;

const OUTCOMES: Record<string, DeclineReason | 'timeout' | 'lost' | 'slow'> = {
  [SANDBOX_CARDS.declined]: 'card_declined',
  [SANDBOX_CARDS.insufficientFunds]: 'insufficient_funds',
  [SANDBOX_CARDS.fraudulent]: 'fraudulent',
  [SANDBOX_CARDS.timeout]: 'timeout',
  [SANDBOX_CARDS.timeoutNotCaptured]: 'lost',
  [SANDBOX_CARDS.slowDecline]: 'slow',
};

interface StoredCharge {
  chargeId?: string;
  state: 'succeeded' | 'declined';
  reason?: DeclineReason;
  amount: number;
  refunded: number;
}

/**
 * A deterministic card network that keeps its own books in Redis (`payments:sandbox:*`, keys
 * written without the context prefix ContextRedis adds), as an external processor would:
 * charges are idempotent per key, refunds never exceed the capture. It sees card numbers (it is
 * "outside" the vault); it never stores them.
 */
@Injectable()
export class SandboxProcessor extends PaymentProcessor {
  constructor(
    private readonly redis: ContextRedis,
    private readonly config: PaymentsConfig,
  ) {
    super();
  }

  async verify(card: CardDetails) {
    await this.latency();
    // Verification checks the CVC only; whether a charge is declined is decided per charge.
    return card.cvc === '000'
      ? { ok: false as const, reason: 'incorrect_cvc' as const }
      : { ok: true as const };
  }

  async charge(req: {
    idempotencyKey: string;
    amount: number;
    currency: string;
    card: CardDetails;
  }): Promise<ChargeResult> {
    const key = this.key('charge', req.idempotencyKey);
    const previous = await this.redis.client.get(key);
    if (previous) return this.answer(JSON.parse(previous) as StoredCharge);
    const outcome = OUTCOMES[req.card.number];
    await this.latency(outcome === 'slow' ? 10 : 1);
    if (outcome === 'lost')
      throw new ProcessorTimeout('sandbox: the request never reached the card network');
    const stored: StoredCharge =
      outcome === undefined || outcome === 'timeout'
        ? {
            state: 'succeeded',
            chargeId: `ch_${randomBytes(12).toString('hex')}`,
            amount: req.amount,
            refunded: 0,
          }
        : {
            state: 'declined',
            reason: outcome === 'slow' ? 'processing_error' : outcome,
            amount: req.amount,
            refunded: 0,
          };
    // NX: of two racing calls with one key, the first decides.
    await this.redis.client.set(key, JSON.stringify(stored), 'EX', 7 * 86_400, 'NX');
    const decided = JSON.parse((await this.redis.client.get(key))!) as StoredCharge;
    if (decided.chargeId)
      await this.redis.client.set(
        this.key('charge-id', decided.chargeId),
        req.idempotencyKey,
        'EX',
        7 * 86_400,
      );
    if (outcome === 'timeout')
      throw new ProcessorTimeout('sandbox: no answer from the card network');
    return this.answer(decided);
  }

  async refund(req: {
    idempotencyKey: string;
    chargeId: string;
    amount: number;
  }): Promise<RefundResult> {
    await this.latency();
    const done = await this.redis.client.get(this.key('refund', req.idempotencyKey));
    if (done) return { status: 'succeeded', refundId: done };
    const chargedWith = await this.redis.client.get(this.key('charge-id', req.chargeId));
    if (!chargedWith) return { status: 'rejected', reason: 'charge_not_found' };
    const refundId = `re_${randomBytes(12).toString('hex')}`;
    // Atomically: refunded + amount <= captured, then record the refund under its key.
    const result = (await this.redis.client.eval(
      `local done = redis.call('GET', KEYS[2])
       if done then return done end
       local c = cjson.decode(redis.call('GET', KEYS[1]))
       if c.refunded + tonumber(ARGV[1]) > c.amount then return 0 end
       c.refunded = c.refunded + tonumber(ARGV[1])
       redis.call('SET', KEYS[1], cjson.encode(c), 'KEEPTTL')
       redis.call('SET', KEYS[2], ARGV[2], 'EX', 604800)
       return ARGV[2]`,
      2,
      this.key('charge', chargedWith),
      this.key('refund', req.idempotencyKey),
      req.amount,
      refundId,
    )) as number | string;
    return result === 0
      ? { status: 'rejected', reason: 'exceeds_captured' }
      : { status: 'succeeded', refundId: String(result) };
  }

  async status(idempotencyKey: string): Promise<ChargeStatus> {
    await this.latency();
    const raw = await this.redis.client.get(this.key('charge', idempotencyKey));
    if (!raw) return { state: 'not_found' };
    const c = JSON.parse(raw) as StoredCharge;
    return c.state === 'succeeded'
      ? { state: 'succeeded', chargeId: c.chargeId!, amount: c.amount, refunded: c.refunded }
      : { state: 'declined', reason: c.reason! };
  }

  private async answer(c: StoredCharge): Promise<ChargeResult> {
    if (c.state === 'declined') return { status: 'declined', reason: c.reason! };
    return { status: 'succeeded', chargeId: c.chargeId! };
  }

  private key(...parts: string[]) {
    return this.redis.key('sandbox', ...parts);
  }

  private latency(factor = 1) {
    const ms = this.config.PAYMENTS_SANDBOX_LATENCY_MS * factor;
    return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
  }
}
