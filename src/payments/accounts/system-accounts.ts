import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AccountKind, AccountRow } from '../ledger/ledger-account.entity.js';

/**
 * The platform's own accounts, one per kind and currency, created on first use:
 * - `clearing`: money in transit from the card network (may go negative: it is owed to us);
 * - `merchant`: what the shop has captured from order payments.
 */
@Injectable()
export class SystemAccounts {
  async get(
    manager: EntityManager,
    kind: Exclude<AccountKind, 'wallet'>,
    currency: string,
  ): Promise<string> {
    await manager.query(
      `INSERT INTO payments.accounts (id, owner_id, kind, currency, debits_must_not_exceed_credits)
       VALUES ($1, NULL, $2, $3, false) ON CONFLICT (kind, currency) WHERE owner_id IS NULL DO NOTHING`,
      [uuidv7(), kind, currency],
    );
    const rows: Pick<AccountRow, 'id'>[] = await manager.query(
      `SELECT id FROM payments.accounts WHERE owner_id IS NULL AND kind = $1 AND currency = $2`,
      [kind, currency],
    );
    return rows[0]!.id;
  }
}
