import { ApiProperty } from '@nestjs/swagger';

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
  })
  kind: string;
  @ApiProperty({ example: 'account 0194… entry 12: hash does not match its contents' })
  detail: string;
}

export class LedgerVerification {
  @ApiProperty() ok: boolean;
  @ApiProperty({ example: 2 }) accounts: number;
  @ApiProperty({ example: 10 }) transfers: number;
  @ApiProperty({ example: 20 }) entries: number;
  @ApiProperty({ type: [LedgerProblem] }) problems: LedgerProblem[];
}
