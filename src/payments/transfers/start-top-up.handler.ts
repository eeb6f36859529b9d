import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { Accounts } from '../accounts/accounts.js';
import { SystemAccounts } from '../accounts/system-accounts.js';
import { PaymentsError } from '../payments.error.js';
import { Vault } from '../vault/vault.js';
import { TransferStarter } from './transfer-starter.js';
import type { TransferResponse } from './transfers.dto.js';

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

/** Card → wallet: the card network owes the clearing account, the wallet is credited. */
@CommandHandler(StartTopUp)
export class StartTopUpHandler implements ICommandHandler<StartTopUp> {
  constructor(
    private readonly accounts: Accounts,
    private readonly transactions: Transactions,
    private readonly vault: Vault,
    private readonly system: SystemAccounts,
    private readonly starter: TransferStarter,
  ) {}

  async execute({
    ownerId,
    accountId,
    cardToken,
    amount,
    idempotencyKey,
  }: StartTopUp): Promise<TransferResponse> {
    const account = await this.accounts.owned(ownerId, accountId);
    if (!(await this.vault.findCard(ownerId, cardToken)))
      throw new PaymentsError('payments.card_not_found', 'No such card.');
    const currency = account.currency.trim();
    const clearing = await this.transactions.run((tx) =>
      this.system.get(tx.manager, 'clearing', currency),
    );
    return this.starter.start({
      kind: 'top_up',
      ownerId,
      businessKey: `${ownerId}:top-up:${idempotencyKey}`,
      fields: {
        amount,
        currency,
        debitAccountId: clearing,
        creditAccountId: account.id,
        toAccountId: account.id,
        cardToken,
        reference: idempotencyKey,
      },
    });
  }
}
