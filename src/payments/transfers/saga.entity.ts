import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SagaDataByKind, SagaKind } from './saga-data.js';

export type SagaState = 'PENDING' | 'COMPLETED' | 'FAILED';
export type SagaStep =
  | 'fraud'
  | 'hold'
  | 'charge'
  | 'charge_status'
  | 'post'
  | 'refund_charge'
  | 'void'
  | 'refund'
  | 'done';

export interface SagaHistoryItem {
  at: string;
  step: string;
  event: string;
  detail?: string | null;
}

/**
 * A persisted orchestration saga (the stand-in for a Temporal workflow): the current step, what
 * each step produced (`data`), attempts, a deadline and the full history. Runners lease a row,
 * run its steps and release it; a runner that dies leaves a lease that expires, and the poller
 * resumes from the recorded step. Every step is idempotent (deterministic ledger ids,
 * processor idempotency keys).
 */
@Entity({ schema: 'payments', name: 'sagas' })
@Index('sagas_business_key', ['kind', 'businessKey'], { unique: true })
@Index('sagas_due_idx', ['nextRunAt'], { where: "state = 'PENDING'" })
@Index('sagas_owner_idx', ['ownerId', 'createdAt'])
export class Saga {
  @PrimaryColumn('uuid') id: string;
  @Column('text') kind: SagaKind;
  @Column('uuid', { name: 'owner_id' }) ownerId: string;
  /** Permanent idempotency guard: `<owner>:<reference>` for transfers, the order id for orders. */
  @Column('text', { name: 'business_key' }) businessKey: string;
  @Column('text') state: SagaState;
  @Column('text') step: SagaStep;
  @Column('int', { default: 0 }) attempts: number;
  @Column('jsonb') data: SagaDataByKind[SagaKind];
  @Column('text', { name: 'failure_reason', nullable: true }) failureReason: string | null;
  @Column('jsonb', { default: () => `'[]'` }) history: SagaHistoryItem[];
  @Column('timestamptz', { name: 'deadline_at' }) deadlineAt: Date;
  @Column('timestamptz', { name: 'next_run_at', default: () => 'now()' }) nextRunAt: Date;
  @Column('timestamptz', { name: 'lease_until', nullable: true }) leaseUntil: Date | null;
  /** Which runner holds the lease: every write of a step is conditional on it. */
  @Column('uuid', { name: 'lease_token', nullable: true }) leaseToken: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

interface SagaRowColumns {
  id: string;
  owner_id: string;
  business_key: string;
  state: SagaState;
  step: SagaStep;
  attempts: number;
  failure_reason: string | null;
  history: SagaHistoryItem[];
  deadline_at: Date;
  next_run_at: Date;
  lease_until: Date | null;
  lease_token: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * A `payments.sagas` row as raw SQL returns it (the saga steps are a benchmarked hot path), its
 * `data` typed by its `kind`: `SagaRow<'order_refund'>`, or `SagaRow` for any kind.
 */
export type SagaRow<K extends SagaKind = SagaKind> = K extends SagaKind
  ? SagaRowColumns & { kind: K; data: SagaDataByKind[K] }
  : never;
