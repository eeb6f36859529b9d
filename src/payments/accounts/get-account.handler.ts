import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Accounts } from './accounts.js';
import { mapAccount, type AccountResponse } from './accounts.dto.js';

export class GetAccount extends Query<AccountResponse> {
  constructor(
    readonly ownerId: string,
    readonly accountId: string,
  ) {
    super();
  }
}

@QueryHandler(GetAccount)
export class GetAccountHandler implements IQueryHandler<GetAccount> {
  constructor(private readonly accounts: Accounts) {}

  async execute({ ownerId, accountId }: GetAccount): Promise<AccountResponse> {
    return mapAccount(await this.accounts.owned(ownerId, accountId));
  }
}
