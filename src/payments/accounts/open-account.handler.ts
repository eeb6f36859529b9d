import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Transactions } from '@app/platform';
import { v7 as uuidv7 } from 'uuid';
import type { AccountView } from './accounts.js';
import { mapAccount, type AccountResponse } from './accounts.dto.js';

export class OpenAccount extends Command<AccountResponse> {
  constructor(
    readonly ownerId: string,
    /** An ISO 4217 code (validated by OpenAccountRequest). */
    readonly currency: string,
  ) {
    super();
  }
}

/** A customer wallet: flagged so debits can never exceed credits. */
@CommandHandler(OpenAccount)
export class OpenAccountHandler implements ICommandHandler<OpenAccount> {
  constructor(private readonly transactions: Transactions) {}

  async execute({ ownerId, currency }: OpenAccount): Promise<AccountResponse> {
    const [row] = await this.transactions.run((tx): Promise<AccountView[]> =>
      tx.manager.query(
        `INSERT INTO payments.accounts (id, owner_id, kind, currency, debits_must_not_exceed_credits)
           VALUES ($1, $2, 'wallet', $3, true)
           RETURNING id, currency, debits_posted, credits_posted, debits_pending, created_at`,
        [uuidv7(), ownerId, currency],
      ),
    );
    return mapAccount(row!);
  }
}
