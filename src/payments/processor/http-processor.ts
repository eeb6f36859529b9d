import { Injectable } from '@nestjs/common';

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
 * A real processor over HTTPS (`PAYMENTS_PROCESSOR=http`, `PAYMENTS_PROCESSOR_URL`,
 * `PAYMENTS_PROCESSOR_API_KEY`), in the shape card processors share: JSON resources, a bearer
 * key, `Idempotency-Key` on every POST. A timeout or a dropped connection is reported as
 * ProcessorTimeout — the outcome is unknown and the saga asks `status` before compensating.
 */
@Injectable()
export class HttpProcessor extends PaymentProcessor {
  constructor(private readonly config: PaymentsConfig) {
    super();
  }

  async verify(card: CardDetails) {
    const res = await this.post('/v1/card_verifications', crypto.randomUUID(), { card });
    return res.status === 'verified'
      ? { ok: true as const }
      : { ok: false as const, reason: (res.reason ?? 'card_declined') as DeclineReason };
  }

  async charge(req: {
    idempotencyKey: string;
    amount: number;
    currency: string;
    card: CardDetails;
  }): Promise<ChargeResult> {
    const res = await this.post('/v1/charges', req.idempotencyKey, {
      amount: req.amount,
      currency: req.currency,
      card: req.card,
    });
    return res.status === 'succeeded'
      ? { status: 'succeeded', chargeId: String(res.id) }
      : { status: 'declined', reason: (res.reason ?? 'card_declined') as DeclineReason };
  }

  async refund(req: {
    idempotencyKey: string;
    chargeId: string;
    amount: number;
  }): Promise<RefundResult> {
    const res = await this.post('/v1/refunds', req.idempotencyKey, {
      charge: req.chargeId,
      amount: req.amount,
    });
    return res.status === 'succeeded'
      ? { status: 'succeeded', refundId: String(res.id) }
      : {
          status: 'rejected',
          reason: res.reason === 'charge_not_found' ? 'charge_not_found' : 'exceeds_captured',
        };
  }

  async status(idempotencyKey: string): Promise<ChargeStatus> {
    const res = await this.request(
      'GET',
      `/v1/charges?idempotency_key=${encodeURIComponent(idempotencyKey)}`,
    );
    if (res.status === 'succeeded')
      return {
        state: 'succeeded',
        chargeId: String(res.id),
        amount: Number(res.amount),
        refunded: Number(res.amount_refunded ?? 0),
      };
    if (res.status === 'declined')
      return { state: 'declined', reason: (res.reason ?? 'card_declined') as DeclineReason };
    return { state: 'not_found' };
  }

  private post(path: string, idempotencyKey: string, body: object) {
    return this.request('POST', path, body, { 'idempotency-key': idempotencyKey });
  }

  private async request(
    method: string,
    path: string,
    body?: object,
    headers: Record<string, string> = {},
  ): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.config.PAYMENTS_PROCESSOR_URL), {
        method,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.config.PAYMENTS_PROCESSOR_API_KEY ?? ''}`,
          ...headers,
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.config.PAYMENTS_PROCESSOR_TIMEOUT_MS),
      });
    } catch {
      // Never include the request (it holds card data) in the error.
      throw new ProcessorTimeout(`processor ${method} ${path.split('?')[0]}: no answer`);
    }
    // Only a definite answer is taken as one. 409 (same key still in flight), 429, auth and
    // unknown statuses leave the outcome unknown: the saga retries or asks `status` later.
    if (res.status === 404 && method === 'GET') return { status: 'not_found' };
    if (res.status !== 200 && res.status !== 201 && res.status !== 402) {
      throw new ProcessorTimeout(`processor ${method} ${path.split('?')[0]}: HTTP ${res.status}`);
    }
    return (await res.json()) as Record<string, unknown>;
  }
}
