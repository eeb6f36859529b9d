import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Tx } from '@app/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { PaymentsConfig } from '../payments.config.js';
import { newSagaData, type SagaFields, type SagaKind } from './saga-data.js';
import type { SagaRow, SagaState, SagaStep } from './saga.entity.js';

/** Another runner took the saga over (ours stalled past its lease): stop, and write nothing. */
export class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

export interface NewSaga<K extends SagaKind> {
  kind: K;
  ownerId: string;
  /** At most one saga per kind and business key, ever (`<owner>:<reference>`, an order id). */
  businessKey: string;
  fields: SagaFields<K>;
  /** Default PAYMENTS_SAGA_DEADLINE_SECONDS. */
  deadlineSeconds?: number;
  /** Default a new UUID v7 (a caller that needs the id before the saga exists makes it). */
  id?: string;
}

/** What a step commits to its saga row (with the step's ledger work and events). */
export interface SagaChange<S extends SagaRow> {
  step?: SagaStep;
  state?: SagaState;
  data?: S['data'];
  failure?: string | null;
  event?: string;
  detail?: string;
  /** History entries recorded before `event`, at their own step (a saga that ends in one go). */
  earlier?: { step: SagaStep; event: string; detail?: string }[];
}

const FIRST_STEP: Record<SagaKind, SagaStep> = {
  transfer: 'fraud',
  top_up: 'fraud',
  order_payment: 'fraud',
  order_refund: 'refund',
  subscription_payment: 'fraud',
  invoice_payment: 'fraud',
};

/**
 * The `payments.sagas` table: every statement that creates, leases, advances or finds a saga.
 * Raw SQL: these run on every step of every payment (a benchmarked hot path).
 */
@Injectable()
export class Sagas {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: PaymentsConfig,
  ) {}

  /**
   * The one way to start a saga. Inserted with its creator's lease — the creator runs it next
   * (`SagaRunner.runLeased`), and the poller steps in only if that run never happens (a lease
   * away). Undefined when a saga of this kind and business key exists already: the unique key
   * makes a repeated request or event a no-op.
   */
  async create<K extends SagaKind>(tx: Tx, saga: NewSaga<K>): Promise<SagaRow<K> | undefined> {
    const [created] = await this.createMany(tx, [saga]);
    return created;
  }

  /**
   * Sagas created together (a group commit's), as `create` each: answers one entry per saga,
   * in order — undefined where its kind and business key existed already (or came twice).
   */
  async createMany<K extends SagaKind>(
    tx: Tx,
    sagas: NewSaga<K>[],
  ): Promise<(SagaRow<K> | undefined)[]> {
    const ids = sagas.map((s) => s.id ?? uuidv7());
    const rows: SagaRow<K>[] = await tx.manager.query(
      `INSERT INTO payments.sagas (id, kind, owner_id, business_key, state, step, data, deadline_at, next_run_at, history,
                                   lease_until, lease_token, attempts)
       SELECT u.id, u.kind, u.owner_id, u.business_key, 'PENDING', u.step, u.data, now() + make_interval(secs => u.deadline),
              now() + make_interval(secs => $9::double precision / 1000),
              jsonb_build_array(jsonb_build_object('at', now(), 'step', u.step, 'event', 'started')),
              now() + make_interval(secs => $9::double precision / 1000), u.token, 1
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::jsonb[], $7::double precision[], $8::uuid[])
              AS u(id, kind, owner_id, business_key, step, data, deadline, token)
       ON CONFLICT (kind, business_key) DO NOTHING
       RETURNING *`,
      [
        ids,
        sagas.map((s) => s.kind),
        sagas.map((s) => s.ownerId),
        sagas.map((s) => s.businessKey),
        sagas.map((s) => FIRST_STEP[s.kind]),
        sagas.map((s, i) => JSON.stringify(newSagaData(s.kind, ids[i]!, s.fields))),
        sagas.map((s) => s.deadlineSeconds ?? this.config.PAYMENTS_SAGA_DEADLINE_SECONDS),
        sagas.map(() => uuidv7()),
        this.config.PAYMENTS_SAGA_LEASE_MS,
      ],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id));
  }

  /** Leases a pending saga that is free (or whose runner's lease expired). */
  async claim(id: string): Promise<SagaRow | undefined> {
    const [rows] = (await this.db.query(
      `UPDATE payments.sagas SET lease_until = now() + make_interval(secs => $2::double precision / 1000), lease_token = $3,
              attempts = attempts + 1
        WHERE id = $1 AND state = 'PENDING' AND (lease_until IS NULL OR lease_until < now())
        RETURNING *`,
      [id, this.config.PAYMENTS_SAGA_LEASE_MS, uuidv7()],
    )) as [SagaRow[], number];
    return rows[0];
  }

  /** Gives a pending saga's lease up; it is due again in `afterMs`. */
  async release(id: string, leaseToken: string | null, afterMs: number): Promise<void> {
    await this.db.query(
      `UPDATE payments.sagas SET lease_until = NULL, lease_token = NULL,
              next_run_at = now() + make_interval(secs => $2::double precision / 1000)
        WHERE id = $1 AND lease_token = $3`,
      [id, afterMs, leaseToken],
    );
  }

  /**
   * Writes a step's change inside its transaction, conditional on our lease (else LeaseLost,
   * which rolls the step's ledger work and events back with it), and extends the lease while
   * the saga is pending. `saga` becomes the written row only once the transaction commits —
   * the run goes on from the committed row, never from one that rolled back.
   */
  async apply<S extends SagaRow>(tx: Tx, saga: S, change: SagaChange<S>): Promise<void> {
    await this.applyMany(tx, [{ saga, change }]);
  }

  /** Changes of many sagas in one statement (a group commit's), each as `apply`. */
  async applyMany<S extends SagaRow>(
    tx: Tx,
    changes: { saga: S; change: SagaChange<S> }[],
  ): Promise<void> {
    const col = <T>(f: (c: { saga: S; change: SagaChange<S> }) => T) => changes.map(f);
    const [rows] = (await tx.manager.query(
      `UPDATE payments.sagas s
          SET lease_until = CASE WHEN COALESCE(u.state, s.state) = 'PENDING'
                                 THEN now() + make_interval(secs => $9::double precision / 1000) END,
              lease_token = CASE WHEN COALESCE(u.state, s.state) = 'PENDING' THEN s.lease_token END,
              step = COALESCE(u.step, s.step), state = COALESCE(u.state, s.state), data = COALESCE(u.data, s.data),
              failure_reason = CASE WHEN u.set_failure THEN u.failure ELSE s.failure_reason END,
              history = CASE WHEN u.history IS NULL THEN s.history
                        ELSE s.history || (SELECT jsonb_agg(jsonb_build_object('at', now(), 'step', COALESCE(e->>'step', s.step),
                                                                               'event', e->>'event', 'detail', e->>'detail') ORDER BY i)
                                             FROM jsonb_array_elements(u.history) WITH ORDINALITY AS x(e, i)) END,
              updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::boolean[], $6::text[], $7::jsonb[], $8::uuid[])
              AS u(id, step, state, data, set_failure, failure, history, token)
        WHERE s.id = u.id AND s.lease_token = u.token AND s.state = 'PENDING'
        RETURNING s.*`,
      [
        col((c) => c.saga.id),
        col((c) => c.change.step ?? null),
        col((c) => c.change.state ?? null),
        col((c) => (c.change.data ? JSON.stringify(c.change.data) : null)),
        col((c) => c.change.failure !== undefined),
        col((c) => c.change.failure ?? null),
        col((c) => historyOf(c.change)),
        col((c) => c.saga.lease_token),
        this.config.PAYMENTS_SAGA_LEASE_MS,
      ],
    )) as [S[], number];
    if (rows.length !== changes.length) throw new LeaseLost();
    const byId = new Map(rows.map((r) => [r.id, r]));
    tx.afterCommit(() => {
      for (const { saga } of changes) Object.assign(saga, byId.get(saga.id));
    });
  }

  /** Appends to the history outside a step's transaction (errors, refused refunds). */
  async note(saga: SagaRow, event: string, detail?: string): Promise<void> {
    await this.db.query(
      `UPDATE payments.sagas SET history = history || jsonb_build_array(jsonb_build_object('at', now(), 'step', $2::text, 'event', $3::text, 'detail', $4::text))
        WHERE id = $1 AND lease_token = $5`,
      [saga.id, saga.step, event, detail ?? null, saga.lease_token],
    );
  }

  async find<K extends SagaKind>(kind: K, businessKey: string): Promise<SagaRow<K> | undefined> {
    const rows: SagaRow<K>[] = await this.db.query(
      `SELECT * FROM payments.sagas WHERE kind = $1 AND business_key = $2`,
      [kind, businessKey],
    );
    return rows[0];
  }

  async exists(kind: SagaKind, businessKey: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `SELECT 1 FROM payments.sagas WHERE kind = $1 AND business_key = $2`,
      [kind, businessKey],
    );
    return rows.length > 0;
  }

  /** A transfer or top-up of this owner (others' answer like missing ones). */
  async findTransfer(
    ownerId: string,
    id: string,
  ): Promise<SagaRow<'transfer' | 'top_up'> | undefined> {
    const rows: SagaRow<'transfer' | 'top_up'>[] = await this.db.query(
      `SELECT * FROM payments.sagas WHERE id = $1 AND owner_id = $2 AND kind IN ('transfer', 'top_up')`,
      [id, ownerId],
    );
    return rows[0];
  }

  /** Pending sagas that are due and free, oldest due first. */
  async due(limit: number): Promise<string[]> {
    const rows: Pick<SagaRow, 'id'>[] = await this.db.query(
      `SELECT id FROM payments.sagas WHERE state = 'PENDING' AND next_run_at <= now() AND (lease_until IS NULL OR lease_until < now())
        ORDER BY next_run_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /** Makes a pending saga due now, saying why in its history (the reaper voided its hold). */
  async wake(manager: EntityManager, id: string, event: string, detail: string): Promise<void> {
    await manager.query(
      `UPDATE payments.sagas SET next_run_at = now(),
              history = history || jsonb_build_array(jsonb_build_object('at', now(), 'step', step, 'event', $2::text, 'detail', $3::text))
        WHERE id = $1 AND state = 'PENDING'`,
      [id, event, detail],
    );
  }
}

/** A change's history entries as the JSON array `apply` appends (null: none); no step → the saga's. */
function historyOf<S extends SagaRow>(change: SagaChange<S>): string | null {
  const entries = [
    ...(change.earlier ?? []),
    ...(change.event ? [{ event: change.event, detail: change.detail }] : []),
  ];
  return entries.length ? JSON.stringify(entries) : null;
}
