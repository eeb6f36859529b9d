import { IntegrationEvent } from '../envelope.js';

export interface TransferCompletedPayload {
  transferId: string;
  kind: 'transfer' | 'top_up';
  fromAccountId: string | null;
  toAccountId: string;
  amount: number;
  currency: string;
  completedAt: string;
}

/** Money moved: the ledger has posted the transfer. */
export class TransferCompleted extends IntegrationEvent<TransferCompletedPayload> {
  static override readonly type = 'payments.transfer-completed';
  static override readonly version = 1;
}

export interface TransferFailedPayload {
  transferId: string;
  kind: 'transfer' | 'top_up';
  /** Stable reason code, e.g. `insufficient_funds`, `card_declined`, `fraud_denied`. */
  reason: string;
  failedAt: string;
}

/** A transfer ended without moving money; every completed step was compensated. */
export class TransferFailed extends IntegrationEvent<TransferFailedPayload> {
  static override readonly type = 'payments.transfer-failed';
  static override readonly version = 1;
}
