import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Accounts } from '../accounts/accounts.js';
import { PaymentsError } from '../payments.error.js';
import { TransferStarter } from './transfer-starter.js';
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
    private readonly starter: TransferStarter,
  ) {}

  async execute({ ownerId, request, idempotencyKey }: StartTransfer): Promise<TransferResponse> {
    const from = await this.accounts.owned(ownerId, request.fromAccountId);
    const to = await this.accounts.wallet(request.toAccountId);
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
    return this.starter.start({
      kind: 'transfer',
      ownerId,
      businessKey: `${ownerId}:${reference}`,
      fields: {
        amount: request.amount,
        currency: request.currency,
        debitAccountId: from.id,
        creditAccountId: to.id,
        fromAccountId: from.id,
        toAccountId: to.id,
        reference,
      },
    });
  }
}
