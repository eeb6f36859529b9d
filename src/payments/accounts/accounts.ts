import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AccountRow } from '../ledger/ledger-account.entity.js';
import { PaymentsError } from '../payments.error.js';

/** The columns an account's owner sees (its balances are derived from them). */
export type AccountView = Pick<
  AccountRow,
  'id' | 'currency' | 'debits_posted' | 'credits_posted' | 'debits_pending' | 'created_at'
>;

/** Reads of customer accounts for handlers and saga steps. */
@Injectable()
export class Accounts {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** An account of this owner. Someone else's account answers exactly like a missing one. */
  async owned(ownerId: string, accountId: string): Promise<AccountView> {
    const rows: AccountView[] = await this.db.query(
      `SELECT id, currency, debits_posted, credits_posted, debits_pending, created_at
         FROM payments.accounts WHERE id = $1 AND owner_id = $2`,
      [accountId, ownerId],
    );
    if (!rows[0]) throw new PaymentsError('payments.account_not_found', `No account ${accountId}.`);
    return rows[0];
  }

  /**
   * A transfer's two accounts in one read: `from` if it is this owner's, `to` if it is a wallet
   * (anyone's). Someone else's `from` answers like a missing one.
   */
  async transferPair(
    ownerId: string,
    fromId: string,
    toId: string,
  ): Promise<{
    from?: Pick<AccountRow, 'id' | 'currency' | 'created_at'>;
    to?: Pick<AccountRow, 'id' | 'currency'>;
  }> {
    const rows: Pick<AccountRow, 'id' | 'owner_id' | 'kind' | 'currency' | 'created_at'>[] =
      await this.db.query(
        `SELECT id, owner_id, kind, currency, created_at FROM payments.accounts WHERE id = ANY($1::uuid[])`,
        [[fromId, toId]],
      );
    return {
      from: rows.find((r) => r.id === fromId && r.owner_id === ownerId),
      to: rows.find((r) => r.id === toId && r.kind === 'wallet'),
    };
  }
}
