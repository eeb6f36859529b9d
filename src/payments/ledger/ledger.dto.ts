import { ApiProperty } from '@nestjs/swagger';
import { ContextSchema } from '@app/platform';

@ContextSchema('payments')
export class LedgerProblem {
  @ApiProperty({
    example: 'chain_broken',
    enum: [
      'unbalanced',
      'negative_balance',
      'chain_broken',
      'balance_mismatch',
      'transfer_entries',
    ],
    description:
      '`unbalanced`: a currency’s debits ≠ its credits; `negative_balance`: a wallet below ' +
      'zero; `chain_broken`: an entry’s hash or sequence is wrong; `balance_mismatch`: an ' +
      'account row disagrees with its entries; `transfer_entries`: a transfer without exactly ' +
      'its two matching entries, or a hold resolved wrongly',
  })
  kind: string;
  @ApiProperty({ example: 'account 0194… entry 12: hash does not match its contents' })
  detail: string;
}

const Count = (example: number, description: string) =>
  ApiProperty({ type: 'integer', format: 'int64', minimum: 0, example, description });

@ContextSchema('payments')
export class LedgerVerification {
  @ApiProperty({ example: true, description: 'true when `problems` is empty' }) ok: boolean;
  @Count(2, 'Accounts checked') accounts: number;
  @Count(10, 'Ledger transfers') transfers: number;
  @Count(20, 'Entries whose hash chain was recomputed') entries: number;
  @ApiProperty({ type: [LedgerProblem] }) problems: LedgerProblem[];
}
