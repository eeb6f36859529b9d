import {
  Command,
  CommandHandler,
  ICommandHandler,
  IQueryHandler,
  Query,
  QueryHandler,
} from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUniqueViolation, Transactions } from '@app/platform';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ownedAccount } from '../accounts/account-queries.js';
import { SystemAccounts } from '../accounts/system-accounts.js';
import { PaymentsError } from '../payments.error.js';
import { Vault } from '../vault/vault.js';
import { newSagaData, type SagaData } from './saga-data.js';
import { SagaRunner, type SagaRow } from './saga-runner.js';
import type { SagaKind } from './saga.entity.js';
import { mapTransfer, type CreateTransferRequest, type TransferResponse } from './transfers.dto.js';
import { PaymentsConfig } from '../payments.config.js';

export class StartTransfer extends Command<TransferResponse> {
  constructor(
    readonly ownerId: string,
    readonly request: CreateTransferRequest,
    readonly idempotencyKey: string,
  ) {
    super();
  }
}

export class StartTopUp extends Command<TransferResponse> {
  constructor(
    readonly ownerId: string,
    readonly accountId: string,
    readonly cardToken: string,
    readonly amount: number,
    readonly idempotencyKey: string,
  ) {
    super();
  }
}

export class GetTransfer extends Query<TransferResponse> {
  constructor(
    readonly ownerId: string,
    readonly id: string,
  ) {
    super();
  }
}

/** Creates the saga row (the permanent idempotency guard), runs it as far as it goes, answers. */
abstract class SagaStarter {
  constructor(
    protected readonly db: DataSource,
    protected readonly transactions: Transactions,
    protected readonly runner: SagaRunner,
    protected readonly config: PaymentsConfig,
  ) {}

  protected async start(
    kind: SagaKind,
    ownerId: string,
    businessKey: string,
    build: (id: string) => Promise<SagaData>,
  ): Promise<TransferResponse> {
    const id = uuidv7();
    const data = await build(id);
    let created: SagaRow;
    try {
      [created] = await this.transactions.run((tx) =>
        tx.manager.query(
          // Created with this request's lease: it runs the saga now, and the poller only steps
          // in (next_run_at, a lease away) if the process dies first.
          `INSERT INTO payments.sagas (id, kind, owner_id, business_key, state, step, data, deadline_at, next_run_at, history,
                                       lease_until, lease_token, attempts)
           VALUES ($1, $2, $3, $4, 'PENDING', 'fraud', $5, now() + make_interval(secs => $6),
                   now() + make_interval(secs => $7::double precision / 1000),
                   jsonb_build_array(jsonb_build_object('at', now(), 'step', 'fraud', 'event', 'started')),
                   now() + make_interval(secs => $7::double precision / 1000), $8, 1)
           RETURNING *`,
          [
            id,
            kind,
            ownerId,
            businessKey,
            JSON.stringify(data),
            this.config.PAYMENTS_SAGA_DEADLINE_SECONDS,
            this.config.PAYMENTS_SAGA_LEASE_MS,
            uuidv7(),
          ],
        ),
      );
    } catch (err) {
      if (!isUniqueViolation(err, 'sagas_business_key')) throw err;
      // The same reference again (e.g. after the idempotency cache expired): same request →
      // the same transfer; a different one → refuse.
      const [existing] = await this.db.query(
        `SELECT * FROM payments.sagas WHERE kind = $1 AND business_key = $2`,
        [kind, businessKey],
      );
      const same =
        existing.data.amount === data.amount &&
        existing.data.currency === data.currency &&
        existing.data.toAccountId === data.toAccountId &&
        existing.data.fromAccountId === data.fromAccountId &&
        existing.data.cardToken === data.cardToken;
      if (!same)
        throw new PaymentsError(
          'payments.reference_reused',
          'This reference was already used for a different transfer.',
        );
      return mapTransfer(existing);
    }
    return mapTransfer(await this.runner.runLeased(created));
  }
}

@CommandHandler(StartTransfer)
export class StartTransferHandler extends SagaStarter implements ICommandHandler<StartTransfer> {
  constructor(
    @InjectDataSource() db: DataSource,
    transactions: Transactions,
    runner: SagaRunner,
    config: PaymentsConfig,
  ) {
    super(db, transactions, runner, config);
  }

  async execute({ ownerId, request, idempotencyKey }: StartTransfer): Promise<TransferResponse> {
    const from = await ownedAccount(this.db, ownerId, request.fromAccountId);
    const [to] = await this.db.query(
      `SELECT id, currency FROM payments.accounts WHERE id = $1 AND kind = 'wallet'`,
      [request.toAccountId],
    );
    if (!to)
      throw new PaymentsError('payments.account_not_found', `No account ${request.toAccountId}.`);
    if (from.id === to.id)
      throw new PaymentsError('payments.same_account', 'A transfer needs two different accounts.');
    if (from.currency.trim() !== request.currency || to.currency.trim() !== request.currency) {
      throw new PaymentsError(
        'payments.currency_mismatch',
        `Both accounts must be in ${request.currency}.`,
      );
    }
    const reference = request.reference ?? idempotencyKey;
    return this.start('transfer', ownerId, `${ownerId}:${reference}`, async (id) =>
      newSagaData(id, {
        amount: request.amount,
        currency: request.currency,
        debitAccountId: from.id,
        creditAccountId: to.id,
        fromAccountId: from.id,
        toAccountId: to.id,
        reference,
      }),
    );
  }
}

/** Card → wallet: the card network owes the clearing account, the wallet is credited. */
@CommandHandler(StartTopUp)
export class StartTopUpHandler extends SagaStarter implements ICommandHandler<StartTopUp> {
  constructor(
    @InjectDataSource() db: DataSource,
    transactions: Transactions,
    runner: SagaRunner,
    config: PaymentsConfig,
    private readonly vault: Vault,
    private readonly system: SystemAccounts,
  ) {
    super(db, transactions, runner, config);
  }

  async execute({
    ownerId,
    accountId,
    cardToken,
    amount,
    idempotencyKey,
  }: StartTopUp): Promise<TransferResponse> {
    const account = await ownedAccount(this.db, ownerId, accountId);
    if (!(await this.vault.findCard(this.db, ownerId, cardToken)))
      throw new PaymentsError('payments.card_not_found', 'No such card.');
    const currency = account.currency.trim();
    const clearing = await this.transactions.run((tx) =>
      this.system.get(tx.manager, 'clearing', currency),
    );
    return this.start('top_up', ownerId, `${ownerId}:top-up:${idempotencyKey}`, async (id) =>
      newSagaData(id, {
        amount,
        currency,
        debitAccountId: clearing,
        creditAccountId: account.id,
        toAccountId: account.id,
        cardToken,
        reference: idempotencyKey,
      }),
    );
  }
}

@QueryHandler(GetTransfer)
export class GetTransferHandler implements IQueryHandler<GetTransfer> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ ownerId, id }: GetTransfer): Promise<TransferResponse> {
    const [row] = await this.db.query(
      `SELECT * FROM payments.sagas WHERE id = $1 AND owner_id = $2 AND kind IN ('transfer', 'top_up')`,
      [id, ownerId],
    );
    if (!row) throw new PaymentsError('payments.transfer_not_found', `No transfer ${id}.`);
    return mapTransfer(row);
  }
}
