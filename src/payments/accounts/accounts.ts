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

  /** Any customer's wallet (a transfer's recipient). */
  async wallet(accountId: string): Promise<Pick<AccountRow, 'id' | 'currency'> | undefined> {
    const rows: Pick<AccountRow, 'id' | 'currency'>[] = await this.db.query(
      `SELECT id, currency FROM payments.accounts WHERE id = $1 AND kind = 'wallet'`,
      [accountId],
    );
    return rows[0];
  }

  async createdAt(accountId: string): Promise<Date | undefined> {
    const rows: Pick<AccountRow, 'created_at'>[] = await this.db.query(
      `SELECT created_at FROM payments.accounts WHERE id = $1`,
      [accountId],
    );
    return rows[0]?.created_at;
  }
}
