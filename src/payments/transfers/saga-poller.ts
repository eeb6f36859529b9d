import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Pollers, Transactions, type Poller } from '@app/platform';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { Ledger } from '../ledger/ledger.js';
import type { TransferRow } from '../ledger/ledger-transfer.entity.js';
import { PaymentsConfig } from '../payments.config.js';
import { SagaRunner } from './saga-runner.js';
import { Sagas } from './sagas.js';

/** An open hold past its timeout, with the void id its saga chose for it. */
type ExpiredHold = Pick<TransferRow, 'id' | 'saga_id'> & { void_id: string | null };

/**
 * Resumes sagas that are due (retries, waits) or whose runner died (expired lease), and reaps
 * expired holds: the hold is voided and its saga woken to compensate whatever else it did.
 * Runs every PAYMENTS_POLL_INTERVAL_MS on the platform's Poller (in worker processes).
 */
@Injectable()
export class SagaPoller {
  readonly poller: Poller;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly ledger: Ledger,
    private readonly sagas: Sagas,
    private readonly runner: SagaRunner,
    pollers: Pollers,
    config: PaymentsConfig,
  ) {
    this.poller = pollers.create({
      name: 'payments.saga-poller',
      intervalMs: config.PAYMENTS_POLL_INTERVAL_MS,
      run: () => this.poll(),
    });
  }

  async poll(): Promise<void> {
    await this.reapExpiredHolds();
    const due = await this.sagas.due(50);
    await Promise.all(due.map((id) => this.runner.run(id)));
  }

  /** Voids holds past their timeout. Returns how many. */
  async reapExpiredHolds(): Promise<number> {
    const expired: ExpiredHold[] = await this.db.query(
      `SELECT t.id, t.saga_id, s.data->>'voidId' AS void_id
         FROM payments.transfers t LEFT JOIN payments.sagas s ON s.id = t.saga_id
        WHERE t.kind = 'pending' AND t.timeout_at < now()
          AND NOT EXISTS (SELECT 1 FROM payments.transfers r WHERE r.pending_id = t.id)
        LIMIT 100`,
    );
    for (const hold of expired) {
      await this.transactions.run(async (tx) => {
        const result = await this.ledger.transfer(tx.manager, {
          id: hold.void_id ?? uuidv7(),
          kind: 'void_pending',
          pendingId: hold.id,
          sagaId: hold.saga_id ?? undefined,
        });
        if (result.ok && hold.saga_id)
          await this.sagas.wake(
            tx.manager,
            hold.saga_id,
            'hold_expired',
            `hold ${hold.id} voided by the reaper`,
          );
      });
    }
    return expired.length;
  }
}
