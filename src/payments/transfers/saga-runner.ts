import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Metrics, Transactions, type Tx } from '@app/platform';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { FraudEngine } from '../fraud/fraud-engine.js';
import { Ledger } from '../ledger/ledger.js';
import { PaymentProcessor, ProcessorTimeout } from '../processor/processor.port.js';
import { Vault } from '../vault/vault.js';
import type { SagaData } from './saga-data.js';
import { outcomeEvents } from './saga-outcome-events.js';
import type { Saga, SagaState, SagaStep } from './saga.entity.js';
import { SagaFaults, SimulatedCrash } from './saga-faults.js';
import { PaymentsConfig } from '../payments.config.js';

type StepOutcome = 'continue' | { waitMs: number };

export interface SagaRow {
  id: string;
  lease_token: string | null;
  kind: Saga['kind'];
  owner_id: string;
  business_key: string;
  state: SagaState;
  step: SagaStep;
  attempts: number;
  data: SagaData;
  deadline_at: Date;
  created_at: Date;
}

const MAX_STEPS_PER_RUN = 12;

/** Another runner took the saga over (ours stalled past its lease): stop, and write nothing. */
class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

/**
 * Advances payment sagas (orchestration). Steps per kind:
 *
 *   transfer       fraud → hold → post
 *   top_up         fraud → hold → charge (→ charge_status) → post
 *   order_payment  fraud → hold → charge (→ charge_status) → post
 *   order_refund   refund
 *
 * and compensation in reverse: a declined charge or a failed post voids the hold
 * (`void`), a charge whose hold can no longer be posted is refunded first (`refund_charge`).
 * Each step commits its ledger work, the saga's new step and history, and any integration event
 * in one transaction.
 */
@Injectable()
export class SagaRunner {
  private readonly logger = new Logger(SagaRunner.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly ledger: Ledger,
    private readonly fraud: FraudEngine,
    private readonly processor: PaymentProcessor,
    private readonly vault: Vault,
    private readonly faults: SagaFaults,
    private readonly metrics: Metrics,
    private readonly config: PaymentsConfig,
  ) {}

  /** Runs a saga until it ends or has to wait. Another runner holding it → returns at once. */
  async run(sagaId: string): Promise<void> {
    const [claimed] = (await this.db.query(
      `UPDATE payments.sagas SET lease_until = now() + make_interval(secs => $2::double precision / 1000), lease_token = $3,
              attempts = attempts + 1
        WHERE id = $1 AND state = 'PENDING' AND (lease_until IS NULL OR lease_until < now())
        RETURNING *`,
      [sagaId, this.config.PAYMENTS_SAGA_LEASE_MS, uuidv7()],
    )) as [SagaRow[], number];
    if (claimed[0]) await this.runLeased(claimed[0]);
  }

  /**
   * Runs a saga whose lease the caller holds (a request that just created it with its lease
   * saves the claim). Returns the saga as last committed.
   */
  async runLeased(saga: SagaRow): Promise<SagaRow> {
    const token = saga.lease_token;
    let nextRunInMs = 0;
    try {
      for (let i = 0; i < MAX_STEPS_PER_RUN && saga.state === 'PENDING'; i++) {
        const step = saga.step;
        // A step that commits updates `saga` to the committed row and extends our lease (tx()).
        const outcome = await this.step(saga);
        this.faults.check(step);
        if (outcome !== 'continue') {
          nextRunInMs = outcome.waitMs;
          break;
        }
      }
    } catch (err) {
      if (err instanceof SimulatedCrash) throw err; // a dead process releases nothing
      if (err instanceof LeaseLost) return saga; // the saga is someone else's now
      this.logger.error({ sagaId: saga.id, err }, 'saga step failed unexpectedly; will retry');
      nextRunInMs = Math.min(60_000, 250 * 2 ** Math.min(saga.attempts, 8));
      await this.history(saga, saga.step, 'error', err instanceof Error ? err.name : 'Error');
    }
    // A saga that ended gave its lease up in the step that ended it (tx()).
    if (saga.state === 'PENDING') {
      await this.db.query(
        `UPDATE payments.sagas SET lease_until = NULL, lease_token = NULL,
                next_run_at = now() + make_interval(secs => $2::double precision / 1000)
          WHERE id = $1 AND lease_token = $3`,
        [saga.id, nextRunInMs, token],
      );
    }
    return saga;
  }

  private async step(saga: SagaRow): Promise<StepOutcome> {
    switch (saga.step) {
      case 'fraud':
        return this.fraudCheck(saga);
      case 'hold':
        return this.hold(saga);
      case 'charge':
        return this.charge(saga);
      case 'charge_status':
        return this.chargeStatus(saga);
      case 'post':
        return this.post(saga);
      case 'refund_charge':
        return this.refundCharge(saga);
      case 'void':
        return this.voidHold(saga);
      case 'refund':
        return this.refundOrder(saga);
      case 'done':
        return 'continue';
    }
  }

  private async fraudCheck(saga: SagaRow): Promise<StepOutcome> {
    const d = saga.data;
    if (saga.kind === 'order_payment') {
      // The order may have been cancelled before we got here: never charge it then.
      const [cancelled] = await this.db.query(
        `SELECT 1 FROM payments.sagas WHERE kind = 'order_refund' AND business_key = $1`,
        [d.orderId],
      );
      if (cancelled) {
        await this.transactions.run((tx) =>
          this.finish(
            tx,
            saga,
            'FAILED',
            'order_cancelled',
            'the order was cancelled before payment',
          ),
        );
        return 'continue';
      }
    }
    let fingerprint: string | undefined;
    if (d.cardToken) {
      const card = await this.vault.findCard(this.db, saga.owner_id, d.cardToken);
      fingerprint = card?.fingerprint;
    }
    const [account] = d.fromAccountId
      ? await this.db.query(`SELECT created_at FROM payments.accounts WHERE id = $1`, [
          d.fromAccountId,
        ])
      : [undefined];
    const decision = await this.fraud.evaluate({
      paymentId: saga.id,
      amount: d.amount,
      customerId: saga.owner_id,
      // Only customer wallets are velocity subjects; the shared merchant account is not.
      accountId: d.fromAccountId ?? (saga.kind === 'top_up' ? d.toAccountId : undefined),
      cardFingerprint: fingerprint,
      accountCreatedAt: account?.created_at,
    });
    await this.transactions.run(async (tx) => {
      await tx.manager.query(
        `INSERT INTO payments.fraud_decisions (saga_id, verdict, score, rules) VALUES ($1, $2, $3, $4) ON CONFLICT (saga_id) DO NOTHING`,
        [saga.id, decision.verdict, decision.score, JSON.stringify(decision.rules)],
      );
      const detail = `${decision.verdict} (score ${decision.score}${decision.rules.length ? `: ${decision.rules.map((r) => r.id).join(', ')}` : ''})`;
      if (decision.verdict === 'deny')
        return this.finish(tx, saga, 'FAILED', 'fraud_denied', detail);
      await this.advance(tx, saga, 'hold', 'fraud_checked', detail);
    });
    return 'continue';
  }

  private async hold(saga: SagaRow): Promise<StepOutcome> {
    const d = saga.data;
    await this.transactions.run(async (tx) => {
      const result = await this.ledger.transfer(tx.manager, {
        id: d.holdId,
        kind: 'pending',
        debitAccountId: d.debitAccountId,
        creditAccountId: d.creditAccountId,
        amount: BigInt(d.amount),
        currency: d.currency,
        timeoutSeconds: this.config.PAYMENTS_HOLD_TIMEOUT_SECONDS,
        sagaId: saga.id,
      });
      if (!result.ok)
        return this.finish(tx, saga, 'FAILED', result.reason, `hold refused: ${result.reason}`);
      await this.advance(
        tx,
        saga,
        saga.kind === 'transfer' ? 'post' : 'charge',
        'held',
        `hold ${d.holdId}`,
      );
    });
    return 'continue';
  }

  private async charge(saga: SagaRow): Promise<StepOutcome> {
    const d = saga.data;
    const [resolved] = await this.db.query(
      `SELECT kind FROM payments.transfers WHERE pending_id = $1`,
      [d.holdId],
    );
    if (resolved) {
      // The hold expired (voided by the reaper) while we waited: charging now would take money we cannot post.
      await this.transactions.run((tx) =>
        this.finish(tx, saga, 'FAILED', 'hold_expired', `hold already ${resolved.kind}`),
      );
      return 'continue';
    }
    const card = d.cardToken
      ? await this.vault.findCard(this.db, saga.owner_id, d.cardToken)
      : null;
    if (!card) {
      await this.transactions.run((tx) =>
        this.advance(tx, saga, 'void', 'charge_skipped', 'card_not_found', {
          failure: 'card_not_found',
        }),
      );
      return 'continue';
    }
    try {
      const result = await this.vault.withCard(card, (details) =>
        this.processor.charge({
          idempotencyKey: d.chargeKey,
          amount: d.amount,
          currency: d.currency,
          card: details,
        }),
      );
      await this.transactions.run((tx) =>
        result.status === 'succeeded'
          ? this.advance(tx, saga, 'post', 'charged', result.chargeId, {
              chargeId: result.chargeId,
            })
          : this.advance(tx, saga, 'void', 'charge_declined', result.reason, {
              failure: result.reason,
            }),
      );
      return 'continue';
    } catch (err) {
      if (!(err instanceof ProcessorTimeout)) throw err;
      await this.transactions.run((tx) =>
        this.advance(
          tx,
          saga,
          'charge_status',
          'charge_timeout',
          'outcome unknown: asking the processor',
          { chargeAttempts: (d.chargeAttempts ?? 0) + 1 },
        ),
      );
      return { waitMs: 0 };
    }
  }

  /** After a timeout: ask what happened before deciding to post or compensate. */
  private async chargeStatus(saga: SagaRow): Promise<StepOutcome> {
    const d = saga.data;
    try {
      const status = await this.processor.status(d.chargeKey);
      await this.transactions.run(async (tx) => {
        if (status.state === 'succeeded')
          return this.advance(tx, saga, 'post', 'charge_confirmed', status.chargeId, {
            chargeId: status.chargeId,
          });
        if (status.state === 'declined')
          return this.advance(tx, saga, 'void', 'charge_not_captured', status.reason, {
            failure: status.reason,
          });
        // Never reached the network: send it again with the same key (safe: the processor
        // dedupes by key), a bounded number of times.
        if ((d.chargeAttempts ?? 1) < 3)
          return this.advance(
            tx,
            saga,
            'charge',
            'charge_not_found',
            'resending with the same key',
          );
        return this.advance(tx, saga, 'void', 'charge_not_captured', 'processor_timeout', {
          failure: 'processor_timeout',
        });
      });
      return 'continue';
    } catch (err) {
      if (!(err instanceof ProcessorTimeout)) throw err;
      if (new Date(saga.deadline_at).getTime() > Date.now())
        return { waitMs: Math.min(30_000, 200 * 2 ** Math.min(saga.attempts, 7)) };
      // Still unknown at the deadline: release the hold; reconciliation with the processor's
      // report settles any capture we never heard of.
      await this.transactions.run((tx) =>
        this.advance(tx, saga, 'void', 'charge_unknown', 'processor_unavailable', {
          failure: 'processor_unavailable',
        }),
      );
      return 'continue';
    }
  }

  private async post(saga: SagaRow): Promise<StepOutcome> {
    const d = saga.data;
    await this.transactions.run(async (tx) => {
      const result = await this.ledger.transfer(tx.manager, {
        id: d.postId,
        kind: 'post_pending',
        pendingId: d.holdId,
        sagaId: saga.id,
      });
      if (result.ok) return this.finish(tx, saga, 'COMPLETED', null, `posted ${d.postId}`);
      // The hold is gone (expired and voided by the reaper) or expired: undo what was done.
      const failure =
        result.reason === 'pending_expired' || result.reason === 'pending_already_resolved'
          ? 'hold_expired'
          : result.reason;
      await this.advance(
        tx,
        saga,
        d.chargeId ? 'refund_charge' : 'void',
        'post_refused',
        result.reason,
        { failure },
      );
    });
    return 'continue';
  }

  private async refundCharge(saga: SagaRow): Promise<StepOutcome> {
    const d = saga.data;
    try {
      const result = await this.processor.refund({
        idempotencyKey: d.refundKey,
        chargeId: d.chargeId!,
        amount: d.amount,
      });
      if (result.status === 'rejected') return this.refundRejected(saga, result.reason);
      await this.transactions.run((tx) =>
        this.advance(tx, saga, 'void', 'charge_refunded', result.refundId),
      );
      return 'continue';
    } catch (err) {
      if (!(err instanceof ProcessorTimeout)) throw err;
      return { waitMs: Math.min(30_000, 200 * 2 ** Math.min(saga.attempts, 7)) };
    }
  }

  private async voidHold(saga: SagaRow): Promise<StepOutcome> {
    const d = saga.data;
    await this.transactions.run(async (tx) => {
      const result = await this.ledger.transfer(tx.manager, {
        id: d.voidId,
        kind: 'void_pending',
        pendingId: d.holdId,
        sagaId: saga.id,
      });
      const detail = result.ok ? `voided ${d.voidId}` : `hold already resolved (${result.reason})`;
      await this.finish(tx, saga, 'FAILED', d.failure ?? 'failed', detail);
    });
    return 'continue';
  }

  /** order_refund: refund the captured order payment, then reverse it in the ledger. */
  private async refundOrder(saga: SagaRow): Promise<StepOutcome> {
    const d = saga.data;
    const [payment] = (await this.db.query(
      `SELECT id, state, data FROM payments.sagas WHERE kind = 'order_payment' AND business_key = $1`,
      [d.orderId],
    )) as {
      id: string;
      state: SagaState;
      data: SagaData;
    }[];
    if (payment?.state === 'PENDING') return { waitMs: 500 }; // let the payment finish first
    // No payment yet: it may still be on its way (events are not ordered); wait until our deadline.
    if (!payment && new Date(saga.deadline_at).getTime() > Date.now()) return { waitMs: 1000 };
    if (!payment || payment.state === 'FAILED') {
      await this.transactions.run((tx) =>
        this.finish(tx, saga, 'COMPLETED', null, 'nothing was captured: nothing to refund'),
      );
      return 'continue';
    }
    try {
      const result = await this.processor.refund({
        idempotencyKey: d.refundKey,
        chargeId: payment.data.chargeId!,
        amount: payment.data.amount,
      });
      if (result.status === 'rejected') return this.refundRejected(saga, result.reason);
    } catch (err) {
      if (!(err instanceof ProcessorTimeout)) throw err;
      return { waitMs: Math.min(30_000, 200 * 2 ** Math.min(saga.attempts, 7)) };
    }
    await this.transactions.run(async (tx) => {
      const reversal = await this.ledger.transfer(tx.manager, {
        id: d.reversalId,
        kind: 'single',
        debitAccountId: payment.data.creditAccountId,
        creditAccountId: payment.data.debitAccountId,
        amount: BigInt(payment.data.amount),
        currency: payment.data.currency,
        sagaId: saga.id,
      });
      if (!reversal.ok) throw new Error(`refund reversal refused: ${reversal.reason}`);
      saga.data = {
        ...d,
        paymentId: payment.id,
        amount: payment.data.amount,
        currency: payment.data.currency,
      };
      await this.tx(tx, saga, { data: saga.data });
      await this.finish(tx, saga, 'COMPLETED', null, `refunded ${payment.data.amount}`);
    });
    return 'continue';
  }

  /**
   * The processor refused a refund we owe: never record it as refunded. The saga stays on this
   * step and retries hourly; the error log is the operator's alert.
   */
  private async refundRejected(saga: SagaRow, reason: string): Promise<StepOutcome> {
    this.logger.error(
      { sagaId: saga.id, reason },
      'processor rejected a refund; retrying later — needs attention',
    );
    await this.history(saga, saga.step, 'refund_rejected', reason);
    return { waitMs: 3_600_000 };
  }

  // ── persistence helpers ───────────────────────────────────────────────────────────────

  private advance(
    tx: Tx,
    saga: SagaRow,
    step: SagaStep,
    event: string,
    detail?: string,
    data: Partial<SagaData> = {},
  ) {
    saga.data = { ...saga.data, ...data };
    return this.tx(tx, saga, { step, data: saga.data, event, detail });
  }

  private async finish(
    tx: Tx,
    saga: SagaRow,
    state: Exclude<SagaState, 'PENDING'>,
    failure: string | null,
    detail: string,
  ) {
    await this.tx(tx, saga, {
      step: 'done',
      state,
      failure,
      event: state === 'COMPLETED' ? 'completed' : 'failed',
      detail,
    });
    const events = outcomeEvents(saga.kind, saga.id, saga.owner_id, saga.data, state, failure);
    if (events.length) await tx.publish(...events);
    tx.afterCommit(() => this.metrics.sagaOutcomes.inc({ saga: saga.kind, outcome: state }));
  }

  private async tx(
    tx: Tx,
    saga: SagaRow,
    change: {
      step?: SagaStep;
      state?: SagaState;
      data?: SagaData;
      failure?: string | null;
      event?: string;
      detail?: string;
    },
  ) {
    const [rows] = (await tx.manager.query(
      `UPDATE payments.sagas
          SET lease_until = CASE WHEN COALESCE($3, state) = 'PENDING'
                                 THEN now() + make_interval(secs => $10::double precision / 1000) END,
              lease_token = CASE WHEN COALESCE($3, state) = 'PENDING' THEN lease_token END,
              step = COALESCE($2, step), state = COALESCE($3, state), data = COALESCE($4::jsonb, data),
              failure_reason = CASE WHEN $5::boolean THEN $6 ELSE failure_reason END,
              history = CASE WHEN $7::text IS NULL THEN history
                        ELSE history || jsonb_build_array(jsonb_build_object('at', now(), 'step', step, 'event', $7::text, 'detail', $8::text)) END,
              updated_at = now()
        WHERE id = $1 AND lease_token = $9 AND state = 'PENDING'
        RETURNING *`,
      [
        saga.id,
        change.step ?? null,
        change.state ?? null,
        change.data ? JSON.stringify(change.data) : null,
        change.failure !== undefined,
        change.failure ?? null,
        change.event ?? null,
        change.detail ?? null,
        saga.lease_token,
        this.config.PAYMENTS_SAGA_LEASE_MS,
      ],
    )) as [SagaRow[], number];
    // Not ours any more: roll back this step's ledger work and events with it.
    const row = rows[0];
    if (!row) throw new LeaseLost();
    // The run goes on from the committed row (never from one whose transaction rolled back).
    tx.afterCommit(() => Object.assign(saga, row));
  }

  private async history(saga: SagaRow, step: string, event: string, detail?: string) {
    await this.db.query(
      `UPDATE payments.sagas SET history = history || jsonb_build_array(jsonb_build_object('at', now(), 'step', $2::text, 'event', $3::text, 'detail', $4::text))
        WHERE id = $1 AND lease_token = $5`,
      [saga.id, step, event, detail ?? null, saga.lease_token],
    );
  }
}
