import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig, Transactions } from '@app/platform';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { Ledger } from '../ledger/ledger.js';
import { SagaRunner } from './saga-runner.js';
import { PaymentsConfig } from '../payments.config.js';

/**
 * Resumes sagas that are due (retries, waits) or whose runner died (expired lease), and reaps
 * expired holds: the hold is voided and its saga woken to compensate whatever else it did.
 */
@Injectable()
export class SagaPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SagaPoller.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly ledger: Ledger,
    private readonly runner: SagaRunner,
    private readonly config: AppConfig,
    private readonly contextConfig: PaymentsConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.WORKERS) return;
    this.stopped = false;
    const tick = () => {
      this.running = this.poll()
        .catch((err) => this.logger.error({ err }, 'saga poll failed'))
        .finally(() => {
          if (!this.stopped)
            this.timer = setTimeout(tick, this.contextConfig.PAYMENTS_POLL_INTERVAL_MS);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  async poll(): Promise<void> {
    await this.reapExpiredHolds();
    const due: { id: string }[] = await this.db.query(
      `SELECT id FROM payments.sagas WHERE state = 'PENDING' AND next_run_at <= now() AND (lease_until IS NULL OR lease_until < now())
        ORDER BY next_run_at LIMIT 50`,
    );
    await Promise.all(due.map((s) => this.runner.run(s.id)));
  }

  /** Voids holds past their timeout. Returns how many. */
  async reapExpiredHolds(): Promise<number> {
    const expired: { id: string; saga_id: string | null; void_id: string | null }[] =
      await this.db.query(
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
        if (result.ok && hold.saga_id) {
          await tx.manager.query(
            `UPDATE payments.sagas SET next_run_at = now(),
                    history = history || jsonb_build_array(jsonb_build_object('at', now(), 'step', step, 'event', 'hold_expired', 'detail', $2::text))
              WHERE id = $1 AND state = 'PENDING'`,
            [hold.saga_id, `hold ${hold.id} voided by the reaper`],
          );
        }
      });
    }
    return expired.length;
  }
}
