import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Accounts } from '../accounts/accounts.js';
import { PaymentsError } from '../payments.error.js';
import { WalletTransfers } from './wallet-transfers.js';
import type { CreateTransferRequest, TransferResponse } from './transfers.dto.js';

export class StartTransfer extends Command<TransferResponse> {
  constructor(
    readonly ownerId: string,
    readonly request: CreateTransferRequest,
    readonly idempotencyKey: string,
  ) {
    super();
  }
}

/** Wallet → wallet, between accounts in the request's currency. */
@CommandHandler(StartTransfer)
export class StartTransferHandler implements ICommandHandler<StartTransfer> {
  constructor(
    private readonly accounts: Accounts,
    private readonly transfers: WalletTransfers,
  ) {}

  async execute({ ownerId, request, idempotencyKey }: StartTransfer): Promise<TransferResponse> {
    const { from, to } = await this.accounts.transferPair(
      ownerId,
      request.fromAccountId,
      request.toAccountId,
    );
    if (!from)
      throw new PaymentsError('payments.account_not_found', `No account ${request.fromAccountId}.`);
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
    return this.transfers.start(
      {
        kind: 'transfer',
        ownerId,
        businessKey: `${ownerId}:${reference}`,
        fields: {
          amount: request.amount,
          currency: request.currency,
          fromAccountId: from.id,
          toAccountId: to.id,
          reference,
        },
      },
      from.created_at,
    );
  }
}
